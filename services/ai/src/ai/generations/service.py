"""Use cases of generations: turn a PlanRequested into a validated plan, published through the
outbox, or into a failure that says why; and show a generation to its owner."""

import logging
from datetime import UTC, datetime
from uuid import UUID

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from ai.db import outbox
from ai.errors import GenerationNotFound
from ai.feedback import service as feedback
from ai.feedback.schemas import FeedbackRead
from ai.generations import repository
from ai.generations.models import Generation
from ai.generations.schemas import GenerationRead
from ai.providers import Provider, make_plan
from ai.providers.provenance import Provenance
from ai.scheduling.schedule import NoFeasiblePlan, Schedule
from ai.scheduling.validator import validate
from schediora_contracts import (
    PlanGenerated,
    PlanGenerationFailed,
    PlanGenerationStarted,
    PlanRequested,
)
from schediora_contracts.common import FeedbackReport
from schediora_runtime.messaging.outbox import record_event

PRODUCER = "ai"
logger = logging.getLogger(__name__)


async def generate(session: AsyncSession, request: PlanRequested, provider: Provider) -> None:
    """Make, validate and publish the plan a request asks for, in the caller's transaction:
    the generation row, Started and then Generated or Failed commit together. A request that
    already has its generation (a redelivery) changes nothing."""
    if await repository.get(session, request.job_id) is not None:
        return
    await _publish(
        session,
        request,
        PlanGenerationStarted(
            job_id=request.job_id, user_id=request.user_id, started_at=datetime.now(UTC)
        ),
    )
    request = await _with_feedback(session, request)
    made = await make_plan(provider, request)
    error = made.error or _check(request, made.schedule)
    if error is not None:
        await _store(session, request, made.provenance, error=error)
        await _publish(
            session,
            request,
            PlanGenerationFailed(
                job_id=request.job_id,
                user_id=request.user_id,
                code=error.code,
                message=error.message,
                failed_at=datetime.now(UTC),
            ),
        )
        return
    schedule = made.schedule
    assert schedule is not None, "a provider's result holds a schedule or an error"
    await _store(session, request, made.provenance, schedule=schedule)
    await _publish(
        session,
        request,
        PlanGenerated(
            job_id=request.job_id,
            user_id=request.user_id,
            generation_id=request.job_id,
            kind=request.kind,
            week_start=request.week_start,
            provider=made.provenance.provider,
            model=made.provenance.model,
            sessions=schedule.sessions,
            feedback=_report(request, schedule),
            generated_at=datetime.now(UTC),
        ),
    )


async def get(session: AsyncSession, user_id: UUID, generation_id: UUID) -> GenerationRead:
    generation = await repository.get_of_user(session, user_id, generation_id)
    if generation is None:
        raise GenerationNotFound("No such generation.")
    given = await feedback.on_generation(session, user_id, generation_id)
    return GenerationRead(
        id=generation.id,
        kind=generation.kind,  # type: ignore[arg-type]
        provider=generation.provider,
        model=generation.model,
        status=generation.status,  # type: ignore[arg-type]
        quality=generation.quality,
        provenance=generation.provenance,  # type: ignore[arg-type]
        created_at=generation.created_at,
        feedback=FeedbackRead.model_validate(given) if given else None,
    )


def _check(request: PlanRequested, schedule: Schedule | None) -> NoFeasiblePlan | None:
    """The one validator runs on every schedule, whatever made it (an LLM's answer was checked
    already, and is again): an invalid plan is never published."""
    if schedule is None:
        return None
    violations = validate(request, schedule.sessions)
    if not violations:
        return None
    logger.error(
        "refusing an invalid plan for job %s: %s",
        request.job_id,
        "; ".join(f"{v.code}: {v.message}" for v in violations[:5]),
    )
    return NoFeasiblePlan(
        "invalid_plan", f"The plan broke {len(violations)} rule(s); it was not used."
    )


def _report(request: PlanRequested, schedule: Schedule) -> FeedbackReport | None:
    """What the generator made of the feedback (`quality["feedback"]`), for the planner to show
    on the job; None without feedback. A report that does not read as one is left out rather
    than failing a valid plan."""
    if request.feedback is None:
        return None
    found = schedule.quality.get("feedback")
    if found is None:
        return None
    try:
        return FeedbackReport.model_validate(found)
    except ValidationError:
        logger.warning(
            "job %s: quality.feedback is not a FeedbackReport: %r", request.job_id, found
        )
        return None


async def _with_feedback(session: AsyncSession, request: PlanRequested) -> PlanRequested:
    """A reschedule carries the student's feedback on the plan it replaces: the feedback sent
    with the request (rating, comments and adjustments), else the one given earlier through
    `POST /feedback` (its `more`/`less` only for subjects still asked for). Feedback sent with
    the request is also kept as that generation's feedback when it has none yet."""
    previous = request.previous_generation_id
    if previous is None:
        return request
    stored = await feedback.on_generation(session, request.user_id, previous)
    if request.feedback is None:
        if stored is None:
            return request
        subjects = {subject.subject_id for subject in request.subjects}
        snapshot = feedback.snapshot(stored, subjects)
        return request.model_copy(update={"feedback": snapshot})
    if stored is None and await repository.get_of_user(session, request.user_id, previous):
        await feedback.keep(
            session, request.user_id, previous, request.feedback, request.requested_at
        )
    return request


async def _store(
    session: AsyncSession,
    request: PlanRequested,
    provenance: Provenance,
    *,
    schedule: Schedule | None = None,
    error: NoFeasiblePlan | None = None,
) -> None:
    await repository.add(
        session,
        Generation(
            id=request.job_id,
            user_id=request.user_id,
            kind=request.kind,
            status="failed" if error else "completed",
            week_start=request.week_start,
            provider=provenance.provider,
            model=provenance.model,
            previous_generation_id=request.previous_generation_id,
            request=request.model_dump(mode="json"),
            sessions=[s.model_dump(mode="json") for s in schedule.sessions] if schedule else [],
            quality=dict(schedule.quality) if schedule else {},
            provenance=provenance.as_json(),
            error_code=error.code if error else None,
            error_message=error.message if error else None,
            created_at=datetime.now(UTC),
        ),
    )


async def _publish(session: AsyncSession, request: PlanRequested, event) -> None:
    await record_event(session, outbox, event, producer=PRODUCER, correlation_id=request.job_id)
