"""`POST /ai/plans/generate` and `/ai/plans/reschedule`: check what the student asks for, queue
the job and write its `PlanRequested` to the outbox in the same transaction."""

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from planner.calendar import service as busy_times
from planner.db import outbox
from planner.errors import (
    GenerationInProgress,
    InvalidInput,
    NoCurrentPlan,
    NoSubjects,
    OnboardingRequired,
    SubjectNotFound,
    TooManyPlanRequests,
    UnknownSubject,
    WeeklyPlanExists,
)
from planner.generation import metrics, repository
from planner.generation.domain import JobKind, RequestQuota
from planner.generation.models import AiJob
from planner.generation.schemas import FeedbackInput, GenerateRequest, RescheduleRequest
from planner.generation.service import snapshot
from planner.plans import service as plans
from planner.subjects import service as subjects
from planner.subjects.models import Subject
from planner.users import service as users
from planner.users.domain import WEEK
from planner.users.models import PlannerUser
from schediora_contracts import PlanRequested
from schediora_contracts.adjustments import unknown_subjects
from schediora_contracts.common import FeedbackSnapshot, Preferences
from schediora_runtime.messaging.outbox import record_event

PRODUCER = "planner"


async def generate(
    session: AsyncSession,
    user_id: UUID,
    body: GenerateRequest,
    *,
    now: datetime,
    deadline: timedelta,
    idempotency_key: str | None,
    quota: RequestQuota | None = None,
) -> AiJob:
    """Queue the generation of a week's plan (the current week or the next one)."""
    earlier, user = await _earlier_or_locked_user(session, user_id, idempotency_key)
    if earlier is not None:
        return earlier
    await _refuse_over_quota(session, user_id, quota, now)
    # Onboarding first: until auth's preferences arrive, the calendar below is the UTC/Monday
    # fallback, and judging the week by it would refuse a Sunday week for the wrong reason.
    preferences = _preferences_or_422(user)
    calendar = users.calendar_of(user)
    current_week = calendar.current_week(now)
    week_start = body.week_start or current_week
    if week_start not in (current_week, current_week + WEEK):
        raise InvalidInput(
            ["body", "week_start"],
            f"Only the current week ({current_week}) or the next ({current_week + WEEK}).",
        )
    chosen = await _subjects_or_422(session, user_id, body.subject_ids)
    if await plans.active_for_week(session, user_id, week_start) is not None:
        raise WeeklyPlanExists("This week already has an active plan.")
    await _refuse_if_in_flight(session, user_id, week_start)
    job = _new_job(user_id, "generate", week_start, now, deadline, body.notes, idempotency_key)
    busy = await busy_times.busy_intervals(session, user_id, calendar.window(week_start))
    request = snapshot.generate_request(job, calendar, preferences, chosen, busy, now)
    return await _queue(session, job, request)


async def reschedule(
    session: AsyncSession,
    user_id: UUID,
    body: RescheduleRequest,
    *,
    now: datetime,
    deadline: timedelta,
    idempotency_key: str | None,
    quota: RequestQuota | None = None,
) -> AiJob:
    """Queue a new plan for the rest of the current week that keeps completed and in-progress
    sessions and takes the feedback on the current plan in."""
    earlier, user = await _earlier_or_locked_user(session, user_id, idempotency_key)
    if earlier is not None:
        return earlier
    await _refuse_over_quota(session, user_id, quota, now)
    preferences = _preferences_or_422(user)
    calendar = users.calendar_of(user)
    plan = await plans.current_or_none(session, user_id, calendar.today(now))
    if plan is None:
        raise NoCurrentPlan("There is no active plan for the current week.")
    chosen = await _subjects_or_422(session, user_id, None)
    feedback = _feedback_or_422(body.feedback, chosen)
    await _refuse_if_in_flight(session, user_id, plan.week_start)
    job = _new_job(
        user_id, "reschedule", plan.week_start, now, deadline, body.notes, idempotency_key
    )
    job.previous_plan_id = plan.id
    busy = await busy_times.busy_intervals(session, user_id, calendar.window(plan.week_start))
    request = snapshot.reschedule_request(
        job, calendar, preferences, chosen, plan, feedback, busy, now
    )
    return await _queue(session, job, request)


def _new_job(
    user_id: UUID,
    kind: JobKind,
    week_start: date,
    now: datetime,
    deadline: timedelta,
    notes: str | None,
    idempotency_key: str | None,
) -> AiJob:
    return AiJob(
        id=uuid4(),
        user_id=user_id,
        kind=kind,
        status="queued",
        week_start=week_start,
        notes=notes,
        idempotency_key=idempotency_key,
        created_at=now,
        deadline_at=now + deadline,
    )


async def _queue(session: AsyncSession, job: AiJob, request: PlanRequested) -> AiJob:
    try:
        await repository.add(session, job)
    except repository.JobInFlight:
        await _refuse_if_in_flight(session, job.user_id, job.week_start)
        raise
    except repository.KeyTaken:
        earlier = await repository.by_idempotency_key(
            session, job.user_id, job.idempotency_key or ""
        )
        assert earlier is not None
        return earlier
    # No causation_id: an HTTP request caused this event, not another event.
    await record_event(session, outbox, request, producer=PRODUCER, correlation_id=job.id)
    metrics.job_created(session, job.kind)
    return job


async def _earlier_or_locked_user(
    session: AsyncSession, user_id: UUID, idempotency_key: str | None
) -> tuple[AiJob | None, PlannerUser | None]:
    """The job an earlier POST with this Idempotency-Key made; else the user's row, locked:
    one user's requests take turns (the partial unique index guarantees one job in flight per
    week even so)."""
    if idempotency_key is not None:
        earlier = await repository.by_idempotency_key(session, user_id, idempotency_key)
        if earlier is not None:
            return earlier, None
    await users.lock(session, user_id)
    return None, await users.get(session, user_id)


async def _refuse_over_quota(
    session: AsyncSession, user_id: UUID, quota: RequestQuota | None, now: datetime
) -> None:
    """429 once the user's jobs in the last window reach the quota. Counted in PostgreSQL with
    the user's row locked (`_earlier_or_locked_user`), so every replica sees the same count and
    two requests at once cannot both take the last place. A retry with a known
    Idempotency-Key returned its job before this, uncounted."""
    if quota is None:
        return
    count, oldest = await repository.created_since(session, user_id, now - quota.window)
    if count >= quota.limit and oldest is not None:
        raise TooManyPlanRequests(quota.retry_after_seconds(oldest, now))


async def _refuse_if_in_flight(session: AsyncSession, user_id: UUID, week_start: date) -> None:
    running = await repository.in_flight(session, user_id, week_start)
    if running is not None:
        raise GenerationInProgress(
            "A plan for this week is already being made.", job_id=str(running.id)
        )


def _preferences_or_422(user: PlannerUser | None) -> Preferences:
    """The user's preferences as auth last published them, with availability. Without them the
    answer is `onboarding_required`, saying whether the planner has any preferences of the user
    yet: right after onboarding they may still be on their way from auth (README, Onboarding)."""
    preferences = users.preferences(user)
    if preferences is None:
        raise OnboardingRequired(
            "Your preferences have not reached the planner yet: set them, or retry shortly if "
            "you just did.",
            preferences_received=False,
        )
    if not preferences.availability:
        raise OnboardingRequired(
            "Set when you can study (your availability) first.", preferences_received=True
        )
    return preferences


async def _subjects_or_422(
    session: AsyncSession, user_id: UUID, ids: Sequence[UUID] | None
) -> Sequence[Subject]:
    try:
        chosen = await subjects.chosen(session, user_id, ids)
    except SubjectNotFound as exc:
        raise InvalidInput(["body", "subject_ids"], str(exc.detail)) from None
    if not chosen:
        raise NoSubjects("Add at least one subject first.")
    return chosen


def _feedback_or_422(
    given: FeedbackInput | None, subjects: Sequence[Subject]
) -> FeedbackSnapshot | None:
    """The feedback as the generator receives it; `more`/`less` may name only the user's own
    subjects (else 422 `unknown_subject`, one error per id that is not)."""
    if given is None:
        return None
    adjustments = given.adjustments
    if adjustments is not None:
        unknown = unknown_subjects(adjustments, {subject.id for subject in subjects})
        if unknown:
            raise UnknownSubject(
                [
                    {
                        "loc": ["body", "feedback", "adjustments", field, index],
                        "msg": f"{subject_id} is not one of your subjects",
                    }
                    for field, index, subject_id in unknown
                ]
            )
    return FeedbackSnapshot(
        rating=given.rating,
        comments=given.comments,
        adjustments=adjustments.contract() if adjustments is not None else None,
    )
