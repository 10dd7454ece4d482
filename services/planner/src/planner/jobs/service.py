"""Use cases of AI jobs: ask for a generated week or a reschedule, follow the job, and apply
the ai service's outcome. A job row and its PlanRequested commit together (outbox)."""

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from planner.calendar import service as busy_times
from planner.db import outbox
from planner.errors import (
    GenerationInProgress,
    InvalidInput,
    JobNotFound,
    NoCurrentPlan,
    NoSubjects,
    OnboardingRequired,
    PlanExists,
    SessionOverlap,
    SubjectNotFound,
    UnknownSubject,
    WeeklyPlanExists,
)
from planner.jobs import repository
from planner.jobs.domain import (
    IN_FLIGHT,
    SESSION_OVERLAP,
    WEEKLY_PLAN_EXISTS,
    JobKind,
)
from planner.jobs.models import AiJob
from planner.jobs.schemas import (
    FeedbackInput,
    GenerateRequest,
    JobError,
    JobRead,
    RescheduleRequest,
    WeeklyStatus,
)
from planner.plans import service as plans
from planner.plans.domain import is_kept
from planner.plans.models import StudySession
from planner.subjects import service as subjects
from planner.subjects.models import Subject
from planner.users import service as users
from planner.users.domain import WEEK
from planner.users.models import PlannerUser
from schediora_contracts import (
    PlanGenerated,
    PlanGenerationFailed,
    PlanGenerationStarted,
    PlanRequested,
)
from schediora_contracts.adjustments import unknown_subjects
from schediora_contracts.common import (
    FeedbackReport,
    FeedbackSnapshot,
    Preferences,
    SessionSnapshot,
    SubjectSnapshot,
)
from schediora_runtime.messaging.consumer import RejectMessage
from schediora_runtime.messaging.outbox import record_event

PRODUCER = "planner"


def read(job: AiJob) -> JobRead:
    error = None
    if job.error_code is not None:
        error = JobError(code=job.error_code, message=job.error_message or job.error_code)
    return JobRead(
        id=job.id,
        kind=job.kind,  # type: ignore[arg-type]
        status=job.status,  # type: ignore[arg-type]
        week_start=job.week_start,
        plan_id=job.plan_id,
        error=error,
        feedback=FeedbackReport.model_validate(job.feedback) if job.feedback else None,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )


async def get_or_404(session: AsyncSession, user_id: UUID, job_id: UUID) -> AiJob:
    job = await repository.get(session, user_id, job_id)
    if job is None:
        raise JobNotFound("No such job.")
    return job


async def generate(
    session: AsyncSession,
    user_id: UUID,
    body: GenerateRequest,
    *,
    now: datetime,
    deadline: timedelta,
    idempotency_key: str | None,
) -> AiJob:
    """Queue the generation of a week's plan (the current week or the next one)."""
    earlier, user = await _earlier_or_locked_user(session, user_id, idempotency_key)
    if earlier is not None:
        return earlier
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
    request = PlanRequested(
        job_id=job.id,
        user_id=user_id,
        kind="generate",
        week_start=week_start,
        week_end=week_start + WEEK - timedelta(days=1),
        timezone=calendar.zone.key,
        preferences=preferences,
        subjects=tuple(_snapshot(subject) for subject in chosen),
        notes=body.notes,
        # The current week's plan starts from now: a session in the past is of no use.
        not_before=now,
        requested_at=now,
        busy=await busy_times.busy_intervals(session, user_id, calendar.window(week_start)),
    )
    return await _queue(session, job, request)


async def reschedule(
    session: AsyncSession,
    user_id: UUID,
    body: RescheduleRequest,
    *,
    now: datetime,
    deadline: timedelta,
    idempotency_key: str | None,
) -> AiJob:
    """Queue a new plan for the rest of the current week that keeps completed and in-progress
    sessions and takes the feedback on the current plan in."""
    earlier, user = await _earlier_or_locked_user(session, user_id, idempotency_key)
    if earlier is not None:
        return earlier
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
    request = PlanRequested(
        job_id=job.id,
        user_id=user_id,
        kind="reschedule",
        week_start=plan.week_start,
        week_end=plan.week_end,
        timezone=calendar.zone.key,
        preferences=preferences,
        subjects=tuple(_snapshot(subject) for subject in chosen),
        keep_sessions=tuple(_session(s) for s in plan.sessions if is_kept(s.status, s.pinned)),
        previous_plan_id=plan.id,
        previous_generation_id=plan.generation_id,
        previous_sessions=tuple(_session(s) for s in plan.sessions),
        feedback=feedback,
        notes=body.notes,
        not_before=now,
        requested_at=now,
        busy=await busy_times.busy_intervals(session, user_id, calendar.window(plan.week_start)),
    )
    return await _queue(session, job, request)


async def weekly_status(
    session: AsyncSession, user_id: UUID, now: datetime, week_start: date | None
) -> WeeklyStatus:
    """Whether a plan can be generated for the week (default: the current one), and why not."""
    calendar = await users.calendar(session, user_id)
    current_week = calendar.current_week(now)
    week = week_start or current_week
    if week not in (current_week, current_week + WEEK):
        raise InvalidInput(["query", "week_start"], "Only the current week or the next one.")
    plan = await plans.active_for_week(session, user_id, week)
    latest = await repository.latest(session, user_id, week)
    reason = None
    if plan is not None:
        reason = WEEKLY_PLAN_EXISTS
    elif latest is not None and latest.status in IN_FLIGHT:
        reason = "generation_in_progress"
    return WeeklyStatus(
        week_start=week,
        week_end=week + WEEK - timedelta(days=1),
        can_generate=reason is None,
        reason=reason,
        current_plan_id=plan.id if plan else None,
        latest_job=read(latest) if latest else None,
    )


async def record_started(session: AsyncSession, event: PlanGenerationStarted) -> None:
    job = await _job_of(session, event.job_id, event.user_id)
    if job.status == "queued":
        job.status = "running"
        job.started_at = event.started_at


async def record_generated(session: AsyncSession, event: PlanGenerated) -> None:
    """Store the plan, its sessions and the job's completion in the caller's transaction; if
    the week was taken meanwhile, fail the job and store nothing. An outcome for a job that
    already has one (e.g. after its deadline) is ignored."""
    job = await _job_of(session, event.job_id, event.user_id)
    if job.status not in IN_FLIGHT:
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
    except PlanExists:
        _fail(
            job,
            WEEKLY_PLAN_EXISTS,
            "The week got an active plan while this one was made.",
            at=event.generated_at,
        )
        return
    except SessionOverlap:
        _fail(
            job,
            SESSION_OVERLAP,
            "The generated plan overlaps sessions you have.",
            at=event.generated_at,
        )
        return
    job.status = "completed"
    job.plan_id = plan.id
    job.feedback = event.feedback.model_dump(mode="json") if event.feedback else None
    job.started_at = job.started_at or event.generated_at
    job.finished_at = event.generated_at


async def record_failed(session: AsyncSession, event: PlanGenerationFailed) -> None:
    job = await _job_of(session, event.job_id, event.user_id)
    if job.status in IN_FLIGHT:
        _fail(job, event.code, event.message, at=event.failed_at)


async def fail_overdue(session: AsyncSession, now: datetime) -> list[UUID]:
    """Fail every job past its deadline with `generation_timeout`; their ids."""
    return await repository.fail_overdue(session, now)


def _fail(job: AiJob, code: str, message: str, at: datetime) -> None:
    job.status = "failed"
    job.error_code = code
    job.error_message = message
    job.finished_at = at


async def _job_of(session: AsyncSession, job_id: UUID, user_id: UUID) -> AiJob:
    """The job an event is about, locked. An event naming a job its user does not own, or no
    job at all, is forged or misrouted: it goes to the dead-letter queue and changes nothing."""
    job = await repository.get_for_event(session, job_id)
    if job is None:
        raise RejectMessage(f"unknown job {job_id}")
    if job.user_id != user_id:
        raise RejectMessage(f"job {job_id} does not belong to user {user_id}")
    return job


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
    await record_event(session, outbox, request, producer=PRODUCER, correlation_id=job.id)
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


def _snapshot(subject: Subject) -> SubjectSnapshot:
    return SubjectSnapshot(
        subject_id=subject.id,
        name=subject.name,
        exam_date=subject.exam_date,
        difficulty=subject.difficulty,
        target_minutes_per_week=subject.target_minutes_per_week,
    )


def _session(study_session: StudySession) -> SessionSnapshot:
    return SessionSnapshot(
        session_id=study_session.id,
        subject_id=study_session.subject_id,
        title=study_session.title,
        starts_at=study_session.starts_at,
        ends_at=study_session.ends_at,
        status=study_session.status,  # type: ignore[arg-type]
        pinned=study_session.pinned,
    )
