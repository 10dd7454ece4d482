"""Use cases of subjects. Every one is scoped by the authenticated user's id."""

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from planner.errors import SubjectExists, SubjectLimitReached, SubjectNotFound
from planner.subjects import repository
from planner.subjects.models import Subject
from planner.subjects.schemas import SubjectCreate, SubjectUpdate
from planner.users import service as users
from schediora_runtime.pagination import Position, page

MAX_SUBJECTS_PER_USER = 100


async def get_or_404(session: AsyncSession, user_id: UUID, subject_id: UUID) -> Subject:
    subject = await repository.get(session, user_id, subject_id)
    if subject is None:
        raise SubjectNotFound("No such subject.")
    return subject


async def list(
    session: AsyncSession, user_id: UUID, *, limit: int, cursor: str | None
) -> tuple[Sequence[Subject], str | None]:
    """One page of the user's subjects, oldest first, and the cursor of the next page."""
    return await page(
        lambda after, n: repository.list(session, user_id, limit=n, after=after),
        limit=limit,
        cursor=cursor,
        position=lambda subject: Position(subject.created_at, subject.id),
    )


async def chosen(
    session: AsyncSession, user_id: UUID, ids: Sequence[UUID] | None
) -> Sequence[Subject]:
    """The user's subjects named by `ids` (all of them when None); `SubjectNotFound` names the
    first id that is not one of theirs."""
    subjects = await repository.all_of(session, user_id, ids)
    if ids is not None:
        found = {subject.id for subject in subjects}
        for subject_id in ids:
            if subject_id not in found:
                raise SubjectNotFound(f"No subject {subject_id}.")
    return subjects


async def create(session: AsyncSession, user_id: UUID, data: SubjectCreate) -> Subject:
    # The lock on the user's row makes the count and the insert one step: two concurrent
    # creates at 99 subjects cannot both pass the limit.
    await users.lock(session, user_id)
    if await repository.count(session, user_id) >= MAX_SUBJECTS_PER_USER:
        raise SubjectLimitReached(f"A user can have at most {MAX_SUBJECTS_PER_USER} subjects.")
    subject = Subject(user_id=user_id, **data.model_dump())
    try:
        await repository.add(session, subject)
    except repository.DuplicateName:
        raise SubjectExists("A subject with this name already exists.") from None
    return subject


async def update(
    session: AsyncSession, user_id: UUID, subject_id: UUID, data: SubjectUpdate
) -> Subject:
    subject = await get_or_404(session, user_id, subject_id)
    for field, value in data.model_dump(exclude_unset=True).items():
        setattr(subject, field, value)
    try:
        await repository.flush(session)
    except repository.DuplicateName:
        raise SubjectExists("A subject with this name already exists.") from None
    return subject


async def delete(session: AsyncSession, user_id: UUID, subject_id: UUID) -> None:
    subject = await get_or_404(session, user_id, subject_id)
    await repository.delete(session, subject)
