"""Use cases of feedback: a student rates a generation once; a reschedule's generator reads it."""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from ai.errors import FeedbackExists, GenerationNotFound
from ai.feedback import repository
from ai.feedback.models import Feedback
from ai.generations import repository as generations
from schediora_runtime.pagination import Position, decode_cursor, encode_cursor


async def give(
    session: AsyncSession,
    user_id: UUID,
    generation_id: UUID,
    rating: int,
    comments: str | None,
    now: datetime,
) -> Feedback:
    """The one feedback on one of the user's generations."""
    if await generations.get_of_user(session, user_id, generation_id) is None:
        raise GenerationNotFound("No such generation.")
    feedback = Feedback(
        generation_id=generation_id,
        user_id=user_id,
        rating=rating,
        comments=comments,
        created_at=now,
    )
    try:
        await repository.add(session, feedback)
    except repository.FeedbackExists:
        raise FeedbackExists("This generation already has your feedback.") from None
    return feedback


async def on_generation(
    session: AsyncSession, user_id: UUID, generation_id: UUID
) -> Feedback | None:
    return await repository.for_generation(session, user_id, generation_id)


async def list(
    session: AsyncSession,
    user_id: UUID,
    *,
    generation_id: UUID | None,
    limit: int,
    cursor: str | None,
) -> tuple[Sequence[Feedback], str | None]:
    """One page of the user's feedback, newest first, and the cursor of the next page."""
    after = decode_cursor(cursor) if cursor is not None else None
    rows = await repository.list(
        session, user_id, generation_id=generation_id, limit=limit + 1, after=after
    )
    page = rows[:limit]
    if len(rows) <= limit:
        return page, None
    return page, encode_cursor(Position(page[-1].created_at, page[-1].id))
