"""Small builders of plan requests and sessions for the scheduling tests."""

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from schediora_contracts.common import (
    AvailabilityWindow,
    FeedbackSnapshot,
    PlannedSession,
    Preferences,
    SessionSnapshot,
    SubjectSnapshot,
)
from schediora_contracts.events import PlanRequested

MONDAY = date(2026, 11, 23)
"""A week without a DST change anywhere."""
BERLIN_FALL_BACK_MONDAY = date(2026, 10, 19)
"""Berlin's clocks go back from 03:00 to 02:00 on Sunday 2026-10-25."""
BERLIN_SPRING_FORWARD_MONDAY = date(2026, 3, 23)
"""Berlin's clocks jump from 02:00 to 03:00 on Sunday 2026-03-29."""
LOS_ANGELES_FALL_BACK_MONDAY = date(2026, 10, 26)
"""Los Angeles' clocks go back from 02:00 to 01:00 on Sunday 2026-11-01."""


def window(weekday: int, start: str, end: str) -> AvailabilityWindow:
    return AvailabilityWindow(weekday=weekday, start=start, end=end)


def every_day(start: str, end: str) -> tuple[AvailabilityWindow, ...]:
    return tuple(window(weekday, start, end) for weekday in range(7))


def subject(
    name: str,
    *,
    exam_date: date | None = None,
    difficulty: int = 3,
    target: int | None = None,
) -> SubjectSnapshot:
    return SubjectSnapshot(
        subject_id=uuid.uuid5(uuid.NAMESPACE_URL, f"subject:{name}"),
        name=name,
        exam_date=exam_date,
        difficulty=difficulty,
        target_minutes_per_week=target,
    )


def plan_request(
    *,
    subjects: tuple[SubjectSnapshot, ...] | None = None,
    availability: tuple[AvailabilityWindow, ...] | None = None,
    timezone: str = "Europe/Berlin",
    week_start: date = MONDAY,
    daily_goal_minutes: int = 120,
    session_minutes: int = 50,
    break_minutes: int = 10,
    preferred_time_of_day: str = "evening",
    kind: str = "generate",
    keep_sessions: tuple[SessionSnapshot, ...] = (),
    previous_sessions: tuple[SessionSnapshot, ...] = (),
    not_before: datetime | None = None,
    feedback: FeedbackSnapshot | None = None,
) -> PlanRequested:
    return PlanRequested(
        job_id=uuid.UUID(int=1),
        user_id=uuid.UUID(int=2),
        kind=kind,
        week_start=week_start,
        week_end=week_start + timedelta(days=6),
        timezone=timezone,
        preferences=Preferences(
            timezone=timezone,
            week_starts_on="monday",
            daily_goal_minutes=daily_goal_minutes,
            session_minutes=session_minutes,
            break_minutes=break_minutes,
            availability=availability if availability is not None else every_day("18:00", "21:00"),
            preferred_time_of_day=preferred_time_of_day,
        ),
        subjects=subjects if subjects is not None else (subject("Calculus"), subject("History")),
        keep_sessions=keep_sessions,
        previous_sessions=previous_sessions,
        not_before=not_before,
        feedback=feedback,
        requested_at=datetime(2026, 11, 20, tzinfo=UTC),
    )


def local(day: date, hhmm: str, timezone: str = "Europe/Berlin", *, fold: int = 0) -> datetime:
    """The instant (in UTC) the local clock shows `hhmm` on `day`; `"24:00"` is next midnight."""
    hours, minutes = (int(part) for part in hhmm.split(":"))
    wall = datetime.combine(day, datetime.min.time()) + timedelta(hours=hours, minutes=minutes)
    return wall.replace(tzinfo=ZoneInfo(timezone), fold=fold).astimezone(UTC)


def planned(of: SubjectSnapshot | None, starts_at: datetime, ends_at: datetime) -> PlannedSession:
    return PlannedSession(
        subject_id=of.subject_id if of else None,
        title=of.name if of else "Free study",
        starts_at=starts_at,
        ends_at=ends_at,
    )


def wall_minutes(sessions, start: str, end: str, timezone: str = "Europe/Berlin") -> int:
    """Minutes of `sessions` whose local wall time lies in `[start, end)` on any day."""
    zone = ZoneInfo(timezone)
    low, high = (int(t[:2]) * 60 + int(t[3:]) for t in (start, end))
    total = 0
    for session in sessions:
        instant = session.starts_at
        while instant < session.ends_at:
            local = instant.astimezone(zone)
            total += low <= local.hour * 60 + local.minute < high
            instant += timedelta(minutes=1)
    return total


def kept(
    of: SubjectSnapshot | None,
    starts_at: datetime,
    ends_at: datetime,
    status: str = "completed",
    title: str = "Kept",
) -> SessionSnapshot:
    return SessionSnapshot(
        session_id=uuid.uuid4(),
        subject_id=of.subject_id if of else None,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        status=status,
    )
