"""Use cases of feedback: a student rates a generation once (a rating, a comment, the app's
structured adjustments); a reschedule's generator reads it."""

from collections.abc import Collection, Sequence
from contextlib import suppress
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from ai.errors import FeedbackExists, GenerationNotFound, UnknownSubject
from ai.feedback import repository
from ai.feedback.models import Feedback
from ai.generations import repository as generations
from schediora_contracts.adjustments import only_subjects, unknown_subjects
from schediora_contracts.common import FeedbackAdjustments, FeedbackSnapshot
from schediora_runtime.pagination import Position, page


async def give(
    session: AsyncSession,
    user_id: UUID,
    generation_id: UUID,
    given: FeedbackSnapshot,
    now: datetime,
) -> Feedback:
    """The one feedback on one of the user's generations. `more`/`less` may name only
    subjects the generation was made for (the ai knows no others)."""
    generation = await generations.get_of_user(session, user_id, generation_id)
    if generation is None:
        raise GenerationNotFound("No such generation.")
    if given.adjustments is not None:
        known = {UUID(s["subject_id"]) for s in generation.request.get("subjects", ())}
        unknown = unknown_subjects(given.adjustments, known)
        if unknown:
            raise UnknownSubject(
                [
                    {
                        "loc": ["body", "adjustments", field, index],
                        "msg": f"{subject_id} is not a subject of this generation",
                    }
                    for field, index, subject_id in unknown
                ]
            )
    feedback = _row(user_id, generation_id, given, now)
    try:
        await repository.add(session, feedback)
    except repository.FeedbackExists:
        raise FeedbackExists("This generation already has your feedback.") from None
    return feedback


async def keep(
    session: AsyncSession,
    user_id: UUID,
    generation_id: UUID,
    given: FeedbackSnapshot,
    now: datetime,
) -> None:
    """Keep the feedback a reschedule carried as the replaced generation's, unless it has one
    already (the planner checked its subjects against the student's own)."""
    with suppress(repository.FeedbackExists):
        await repository.add(session, _row(user_id, generation_id, given, now))


def snapshot(feedback: Feedback, subjects: Collection[UUID]) -> FeedbackSnapshot:
    """Stored feedback as a reschedule's generator receives it: `more`/`less` only for the
    `subjects` still asked for."""
    adjustments = None
    if feedback.adjustments is not None:
        stored = FeedbackAdjustments.model_validate(feedback.adjustments)
        adjustments = only_subjects(stored, subjects)
    return FeedbackSnapshot(
        rating=feedback.rating, comments=feedback.comments, adjustments=adjustments
    )


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

    async def fetch(after: Position | None, n: int) -> Sequence[Feedback]:
        return await repository.list(
            session, user_id, generation_id=generation_id, limit=n, after=after
        )

    return await page(
        fetch, limit=limit, cursor=cursor, position=lambda row: Position(row.created_at, row.id)
    )


def _row(user_id: UUID, generation_id: UUID, given: FeedbackSnapshot, now: datetime) -> Feedback:
    adjustments = given.adjustments
    return Feedback(
        generation_id=generation_id,
        user_id=user_id,
        rating=given.rating,
        comments=given.comments,
        adjustments=adjustments.model_dump(mode="json") if adjustments is not None else None,
        created_at=now,
    )
