"""Queries on subjects, always scoped by the owner; never commits."""

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import func, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from planner.subjects.models import NAME_INDEX, Subject
from schediora_runtime.database import violated_constraint
from schediora_runtime.pagination import Position


class DuplicateName(Exception):
    """The user already has a subject of that name (in any letter case)."""


async def get(session: AsyncSession, user_id: UUID, subject_id: UUID) -> Subject | None:
    return await session.scalar(
        select(Subject).where(Subject.id == subject_id, Subject.user_id == user_id)
    )


async def list(
    session: AsyncSession, user_id: UUID, *, limit: int, after: Position | None
) -> Sequence[Subject]:
    """Up to `limit` of the user's subjects in `(created_at, id)` order, after `after`."""
    statement = (
        select(Subject)
        .where(Subject.user_id == user_id)
        .order_by(Subject.created_at, Subject.id)
        .limit(limit)
    )
    if after is not None:
        statement = statement.where(
            tuple_(Subject.created_at, Subject.id) > tuple_(after.key, after.id)
        )
    return (await session.scalars(statement)).all()


async def all_of(
    session: AsyncSession, user_id: UUID, ids: Sequence[UUID] | None = None
) -> Sequence[Subject]:
    """The user's subjects (at most 100), or those of them whose id is in `ids`."""
    statement = select(Subject).where(Subject.user_id == user_id).order_by(Subject.created_at)
    if ids is not None:
        statement = statement.where(Subject.id.in_(ids))
    return (await session.scalars(statement)).all()


async def count(session: AsyncSession, user_id: UUID) -> int:
    statement = select(func.count()).select_from(Subject).where(Subject.user_id == user_id)
    return await session.scalar(statement) or 0


async def add(session: AsyncSession, subject: Subject) -> None:
    session.add(subject)
    await flush(session)


async def delete(session: AsyncSession, subject: Subject) -> None:
    await session.delete(subject)
    await session.flush()


async def flush(session: AsyncSession) -> None:
    """Write pending changes; the unique name index turns a duplicate into `DuplicateName`."""
    try:
        await session.flush()
    except IntegrityError as exc:
        if violated_constraint(exc) == NAME_INDEX:
            raise DuplicateName from exc
        raise
