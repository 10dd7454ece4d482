"""One valid instance of every event, for the contract tests."""

import uuid
from datetime import UTC, date, datetime

from schediora_contracts import (
    Event,
    PlanGenerated,
    PlanGenerationFailed,
    PlanGenerationStarted,
    PlanRequested,
    SessionsRevoked,
    SigningKeysRotated,
    UserDeleted,
    UserPreferencesUpdated,
    UserRegistered,
)
from schediora_contracts.common import (
    AvailabilityWindow,
    FeedbackSnapshot,
    PlannedSession,
    Preferences,
    SessionSnapshot,
    SubjectSnapshot,
)

NOW = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
USER = uuid.UUID("6f1c2f0e-8d7b-4c4e-9a57-0b1f3c1d2e3f")
JOB = uuid.UUID("0b7f3e5a-2f4c-4d1e-8c3b-9a8e7d6c5b4a")
SUBJECT = uuid.UUID("1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d")

PREFERENCES = Preferences(
    timezone="Europe/Berlin",
    week_starts_on="monday",
    daily_goal_minutes=120,
    session_minutes=50,
    break_minutes=10,
    availability=(AvailabilityWindow(weekday=0, start="18:00", end="21:00"),),
    preferred_time_of_day="evening",
)

SESSION = SessionSnapshot(
    session_id=uuid.uuid4(),
    subject_id=SUBJECT,
    title="Calculus: limits",
    starts_at=NOW,
    ends_at=NOW.replace(hour=19),
    status="completed",
)

EXAMPLES: list[Event] = [
    UserRegistered(user_id=USER, email="ada@example.com", display_name="Ada", registered_at=NOW),
    UserPreferencesUpdated(user_id=USER, preferences=PREFERENCES, updated_at=NOW),
    PlanRequested(
        job_id=JOB,
        user_id=USER,
        kind="reschedule",
        week_start=date(2026, 11, 23),
        week_end=date(2026, 11, 29),
        timezone="Europe/Berlin",
        preferences=PREFERENCES,
        subjects=(
            SubjectSnapshot(
                subject_id=SUBJECT, name="Calculus", exam_date=date(2026, 11, 27), difficulty=4
            ),
        ),
        keep_sessions=(SESSION,),
        previous_plan_id=uuid.uuid4(),
        previous_generation_id=uuid.uuid4(),
        previous_sessions=(SESSION,),
        feedback=FeedbackSnapshot(rating=2, comments="no mornings"),
        notes="Focus on integrals",
        not_before=NOW,
        requested_at=NOW,
    ),
    PlanGenerationStarted(job_id=JOB, user_id=USER, started_at=NOW),
    PlanGenerated(
        job_id=JOB,
        user_id=USER,
        generation_id=JOB,
        kind="generate",
        week_start=date(2026, 11, 23),
        provider="local",
        model=None,
        sessions=(
            PlannedSession(
                subject_id=SUBJECT,
                title="Calculus",
                starts_at=NOW,
                ends_at=NOW.replace(hour=19),
                rationale="Calculus exam in 4 days",
            ),
        ),
        generated_at=NOW,
    ),
    PlanGenerationFailed(
        job_id=JOB, user_id=USER, code="no_available_time", message="Nothing fits", failed_at=NOW
    ),
    SessionsRevoked(user_id=USER, session_ids=(JOB,), reason="logout", revoked_at=NOW),
    UserDeleted(user_id=USER, deleted_at=NOW),
    SigningKeysRotated(
        issuer="schediora-auth",
        signing_kid="new-kid",
        kids=("new-kid", "old-kid"),
        withdrawn_kids=(),
        rotated_at=NOW,
    ),
]
