"""How a job ends: the ai service's PlanGenerationStarted, PlanGenerated and
PlanGenerationFailed, and the deadline.

Each event is applied with the job row locked, in the consumer's transaction. Events of one job
may be applied in any order (a redelivery, or several handled at once): the first outcome wins,
and a Started arriving after it changes nothing. Times are the ai's, taken from the events, never
the time they arrive.
"""

from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from planner.generation import metrics, repository
from planner.generation.domain import (
    GENERATION_TIMEOUT,
    SESSION_OVERLAP,
    WEEKLY_PLAN_EXISTS,
    ForeignJob,
    takes_outcome,
    takes_started,
)
from planner.generation.models import AiJob
from planner.plans import service as plans
from planner.plans.domain import SessionsOverlap, WeekTaken
from schediora_contracts import PlanGenerated, PlanGenerationFailed, PlanGenerationStarted


async def record_started(session: AsyncSession, event: PlanGenerationStarted) -> None:
    job = await _job_of(session, event.job_id, event.user_id)
    if takes_started(job.status):
        job.status = "running"
        job.started_at = event.started_at


async def record_generated(session: AsyncSession, event: PlanGenerated) -> None:
    """Store the plan, its sessions, its warnings and the job's completion in the caller's
    transaction; if the week was taken meanwhile, fail the job and store nothing."""
    job = await _job_of(session, event.job_id, event.user_id)
    if not takes_outcome(job.status):
        return
    try:
        async with session.begin_nested():
            plan = await plans.store_generated(
                session,
                job.user_id,
                week_start=job.week_start,
                generation_id=job.id,
                sessions=event.sessions,
                replaces=job.previous_plan_id,
            )
    except WeekTaken:
        _fail(job, WEEKLY_PLAN_EXISTS, "The week got an active plan while this one was made.")
    except SessionsOverlap:
        _fail(job, SESSION_OVERLAP, "The generated plan overlaps sessions you have.")
    else:
        job.status = "completed"
        job.plan_id = plan.id
        job.feedback = event.feedback.model_dump(mode="json") if event.feedback else None
        job.warnings = [warning.model_dump(mode="json") for warning in event.warnings]
    _finish(session, job, event.generated_at)


async def record_failed(session: AsyncSession, event: PlanGenerationFailed) -> None:
    job = await _job_of(session, event.job_id, event.user_id)
    if takes_outcome(job.status):
        _fail(job, event.code, event.message)
        _finish(session, job, event.failed_at)


async def fail_overdue(session: AsyncSession, now: datetime) -> list[UUID]:
    """Fail every job past its deadline with `generation_timeout`; their ids. A job the ai
    never started keeps `started_at` null."""
    failed = await repository.fail_overdue(session, now)
    for job in failed:
        metrics.job_finished(
            session,
            kind=job.kind,
            status="failed",
            error_code=GENERATION_TIMEOUT,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=now,
        )
    return [job.id for job in failed]


def _fail(job: AiJob, code: str, message: str) -> None:
    job.status = "failed"
    job.error_code = code
    job.error_message = message


def _finish(session: AsyncSession, job: AiJob, at: datetime) -> None:
    """An outcome that overtook its Started still ends a job the ai did start: until the
    Started arrives (it then changes nothing) the outcome's time is the best there is."""
    job.started_at = job.started_at or at
    job.finished_at = at
    metrics.job_finished(
        session,
        kind=job.kind,
        status=job.status,
        error_code=job.error_code,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=at,
    )


async def _job_of(session: AsyncSession, job_id: UUID, user_id: UUID) -> AiJob:
    """The job an event is about, locked; `ForeignJob` when no job of this user has the id."""
    job = await repository.get_for_event(session, job_id)
    if job is None:
        raise ForeignJob(f"unknown job {job_id}")
    if job.user_id != user_id:
        raise ForeignJob(f"job {job_id} does not belong to user {user_id}")
    return job
