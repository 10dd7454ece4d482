"""The `PlanRequested` a job sends: everything the generator needs, copied from the planner's
state when the job is queued (event-carried state: the ai service never calls back)."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from planner.generation.models import AiJob
from planner.plans.domain import is_kept
from planner.plans.models import StudyPlan, StudySession
from planner.subjects.models import Subject
from planner.users.domain import WEEK, Calendar
from schediora_contracts import PlanRequested
from schediora_contracts.common import (
    BusyInterval,
    FeedbackSnapshot,
    Preferences,
    SessionSnapshot,
    SubjectSnapshot,
)


def generate_request(
    job: AiJob,
    calendar: Calendar,
    preferences: Preferences,
    subjects: Sequence[Subject],
    busy: Sequence[BusyInterval],
    now: datetime,
) -> PlanRequested:
    """A new plan for the job's week, around the student's busy times. It starts from now: a
    session in the past is of no use."""
    return PlanRequested(
        job_id=job.id,
        user_id=job.user_id,
        kind="generate",
        week_start=job.week_start,
        week_end=job.week_start + WEEK - timedelta(days=1),
        timezone=calendar.zone.key,
        preferences=preferences,
        subjects=tuple(_subject(subject) for subject in subjects),
        notes=job.notes,
        not_before=now,
        requested_at=now,
        busy=tuple(busy),
        deadline_at=job.deadline_at,
    )


def reschedule_request(
    job: AiJob,
    calendar: Calendar,
    preferences: Preferences,
    subjects: Sequence[Subject],
    plan: StudyPlan,
    feedback: FeedbackSnapshot | None,
    busy: Sequence[BusyInterval],
    now: datetime,
) -> PlanRequested:
    """The rest of the week of `plan`, keeping its completed, in-progress and pinned sessions,
    around the student's busy times."""
    return PlanRequested(
        job_id=job.id,
        user_id=job.user_id,
        kind="reschedule",
        week_start=plan.week_start,
        week_end=plan.week_end,
        timezone=calendar.zone.key,
        preferences=preferences,
        subjects=tuple(_subject(subject) for subject in subjects),
        keep_sessions=tuple(_session(s) for s in plan.sessions if is_kept(s.status, s.pinned)),
        previous_plan_id=plan.id,
        previous_generation_id=plan.generation_id,
        previous_sessions=tuple(_session(s) for s in plan.sessions),
        feedback=feedback,
        notes=job.notes,
        not_before=now,
        requested_at=now,
        busy=tuple(busy),
        deadline_at=job.deadline_at,
    )


def _subject(subject: Subject) -> SubjectSnapshot:
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
