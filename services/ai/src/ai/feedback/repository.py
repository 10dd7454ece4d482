"""Queries on feedback, always scoped by the owner; never commits."""

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ai.feedback.models import ONE_PER_GENERATION, Feedback
from schediora_runtime.database import violated_constraint
from schediora_runtime.pagination import Position


class FeedbackExists(Exception):
    """The generation already has its one feedback."""


async def for_generation(
    session: AsyncSession, user_id: UUID, generation_id: UUID
) -> Feedback | None:
    return await session.scalar(
        select(Feedback).where(Feedback.generation_id == generation_id, Feedback.user_id == user_id)
    )


async def list(
    session: AsyncSession,
    user_id: UUID,
    *,
    generation_id: UUID | None,
    limit: int,
    after: Position | None,
) -> Sequence[Feedback]:
    """Up to `limit` of the user's feedback, newest first, after `after`."""
    statement = (
        select(Feedback)
        .where(Feedback.user_id == user_id)
        .order_by(Feedback.created_at.desc(), Feedback.id.desc())
        .limit(limit)
    )
    if generation_id is not None:
        statement = statement.where(Feedback.generation_id == generation_id)
    if after is not None:
        statement = statement.where(
            tuple_(Feedback.created_at, Feedback.id) < tuple_(after.key, after.id)
        )
    return (await session.scalars(statement)).all()


async def add(session: AsyncSession, feedback: Feedback) -> None:
    """Insert; the unique index turns a second feedback (even a racing one) into
    `FeedbackExists`."""
    try:
        async with session.begin_nested():
            session.add(feedback)
            await session.flush()
    except IntegrityError as exc:
        constraint = violated_constraint(exc)
        if constraint == ONE_PER_GENERATION:
            raise FeedbackExists from exc
        raise
