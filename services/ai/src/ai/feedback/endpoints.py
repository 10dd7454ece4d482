"""`/api/v1/feedback`: the student's rating of a generated plan (docs/api.md: Feedback and
generations)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Query

from ai.deps import CurrentUser, Now, SessionDep
from ai.feedback import service
from ai.feedback.schemas import FEEDBACK_EXAMPLES, FeedbackCreate, FeedbackPage, FeedbackRead
from schediora_contracts.common import FeedbackSnapshot
from schediora_runtime.lean_routes import LeanRoute
from schediora_runtime.pagination import DEFAULT_LIMIT, MAX_LIMIT
from schediora_runtime.problems import documented_problems

router = APIRouter(prefix="/api/v1/feedback", tags=["feedback"], route_class=LeanRoute)


@router.post("", status_code=201, responses=documented_problems(401, 404, 409, 422))
async def give_feedback(
    user_id: CurrentUser,
    session: SessionDep,
    now: Now,
    body: Annotated[FeedbackCreate, Body(openapi_examples=FEEDBACK_EXAMPLES)],
) -> FeedbackRead:
    """Rate one of your generations, once, with a comment and `adjustments` (the app's chips);
    a reschedule takes them into account. A subject in `more`/`less` the generation was not
    made for is a 422 `unknown_subject`."""
    feedback = await service.give(
        session,
        user_id,
        body.generation_id,
        FeedbackSnapshot(
            rating=body.rating,
            comments=body.comments,
            adjustments=body.adjustments.contract() if body.adjustments is not None else None,
        ),
        now,
    )
    return FeedbackRead.model_validate(feedback)


@router.get("", responses=documented_problems(401, 422))
async def list_feedback(
    user_id: CurrentUser,
    session: SessionDep,
    generation_id: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=256)] = None,
) -> FeedbackPage:
    """Your feedback, newest first; `?generation_id=` for one generation's."""
    rows, next_cursor = await service.list(
        session, user_id, generation_id=generation_id, limit=limit, cursor=cursor
    )
    return FeedbackPage(
        items=[FeedbackRead.model_validate(row) for row in rows], next_cursor=next_cursor
    )
