"""The one check of a schedule's hard constraints, whatever produced it (solver or LLM).

Each rule below has a stable `code`; `session_index` is the index of the offending session in
the list given (None for a rule about a whole day). Times are judged in the request's time zone
(`request.timezone`; an unknown name falls back to UTC); ranges are half-open `[start, end)`.

- `end_not_after_start`: `ends_at` must be after `starts_at` (such a session is checked no further).
- `too_short` / `too_long`: a session lasts at least 15 minutes and at most 8 hours.
- `outside_availability`: a session lies inside one availability window on its local date:
  the window's weekday (0 = Monday) is that date's, and the session starts at or after the
  window's start and ends by its end (`"24:00"` is the next midnight). On a DST day a window
  covers only instants whose wall time lies inside it (see `local_time`).
- `outside_week`: inside `[week_start 00:00, (week_end + 1 day) 00:00)` local time.
- `before_not_before`: when the request has `not_before` (a reschedule), no session starts
  before it.
- `overlap` / `overlaps_kept_session`: no two sessions overlap, among the new ones and between a
  new one and a kept one (`keep_sessions` stay where they are and occupy their time).
- `break_too_short`: `preferences.break_minutes` lie between any two of those sessions.
- `overlaps_busy_time`: no session overlaps a busy occurrence of the student's timetable
  (`request.busy`); touching one is fine, and no break is asked next to it.
- `on_or_after_exam`: a session of a subject with an `exam_date` ends by local midnight that
  starts the exam date.
- `daily_goal_exceeded`: on each local day that has a new session, the minutes of the new and the
  kept sessions on that day add up to at most `preferences.daily_goal_minutes`.
- `feedback_free_day` / `feedback_blocked_time`: a session keeps off the weekdays and the local
  wall times the feedback asked to keep free ("free Saturday", "avoid morning", "not_before
  10:00", "not_after 21:00"), those that `feedback.limits` holds the plan to: a wish that would
  have left no free time at all is reported as not met instead, and not checked.
- `missing_subject` / `unknown_subject`: every session has a `subject_id`, one of the request's.
- `title_empty` / `title_too_long`: a title is not blank and at most 200 characters (the
  planner's limit on a session's title).
- `too_many_sessions`: the new sessions and the kept ones (which move into the new plan) are at
  most 200, the planner's limit on a plan.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ai.scheduling import feedback
from ai.scheduling.week import Week
from schediora_contracts.common import PlannedSession, SessionSnapshot
from schediora_contracts.events import PlanRequested
from schediora_contracts.limits import (
    SESSION_MAX_DURATION,
    SESSION_MIN_DURATION,
    SESSION_TITLE_MAX_LENGTH,
    SESSIONS_PER_PLAN_MAX,
)
from schediora_contracts.local_time import DAY, day_bounds, local_date

END_NOT_AFTER_START = "end_not_after_start"
TOO_SHORT = "too_short"
TOO_LONG = "too_long"
OUTSIDE_AVAILABILITY = "outside_availability"
OUTSIDE_WEEK = "outside_week"
BEFORE_NOT_BEFORE = "before_not_before"
OVERLAP = "overlap"
OVERLAPS_KEPT_SESSION = "overlaps_kept_session"
OVERLAPS_BUSY_TIME = "overlaps_busy_time"
BREAK_TOO_SHORT = "break_too_short"
ON_OR_AFTER_EXAM = "on_or_after_exam"
DAILY_GOAL_EXCEEDED = "daily_goal_exceeded"
FEEDBACK_FREE_DAY = "feedback_free_day"
FEEDBACK_BLOCKED_TIME = "feedback_blocked_time"
MISSING_SUBJECT = "missing_subject"
UNKNOWN_SUBJECT = "unknown_subject"
TITLE_EMPTY = "title_empty"
TITLE_TOO_LONG = "title_too_long"
TOO_MANY_SESSIONS = "too_many_sessions"

_INSTANT = timedelta(microseconds=1)


@dataclass(frozen=True)
class Violation:
    code: str
    message: str
    session_index: int | None = None


def validate(request: PlanRequested, sessions: Sequence[PlannedSession]) -> list[Violation]:
    """Every hard constraint `sessions` break, in a stable order; empty when the plan is valid."""
    week = Week.of(request)
    limits = feedback.limits(request)
    violations: list[Violation] = []
    timed = []
    for index, session in enumerate(sessions):
        if session.ends_at <= session.starts_at:
            violations.append(
                Violation(
                    END_NOT_AFTER_START,
                    f"session {index} ({_span(session, week.zone)}) does not end after it starts",
                    index,
                )
            )
            continue
        timed.append((index, session))
        violations.extend(_session_rules(request, week, index, session))
        if limits:
            violations.extend(_feedback_rules(limits, week, index, session))
    violations.extend(_spacing_rules(request, timed))
    violations.extend(_busy_rules(request, week, timed))
    violations.extend(_daily_rules(request, week, timed))
    total = len(sessions) + len(request.keep_sessions)
    if total > SESSIONS_PER_PLAN_MAX:
        text = (
            f"{len(sessions)} sessions and {len(request.keep_sessions)} kept ones make "
            f"{total}, more than the {SESSIONS_PER_PLAN_MAX} a plan may hold"
        )
        violations.append(Violation(TOO_MANY_SESSIONS, text, None))
    return violations


def _session_rules(
    request: PlanRequested, week: Week, index: int, session: PlannedSession
) -> list[Violation]:
    found = []
    span = _span(session, week.zone)

    def add(code: str, text: str) -> None:
        found.append(Violation(code, f"session {index} ({span}) {text}", index))

    if not session.title.strip():
        add(TITLE_EMPTY, "has a blank title")
    elif len(session.title) > SESSION_TITLE_MAX_LENGTH:
        add(
            TITLE_TOO_LONG,
            f"has a title of {len(session.title)} characters, more than {SESSION_TITLE_MAX_LENGTH}",
        )
    length = session.ends_at - session.starts_at
    if length < SESSION_MIN_DURATION:
        add(TOO_SHORT, "is shorter than 15 minutes")
    if length > SESSION_MAX_DURATION:
        add(TOO_LONG, "is longer than 8 hours")
    if not _inside_a_window(week, session):
        add(OUTSIDE_AVAILABILITY, "is not inside one of the availability windows")
    if session.starts_at < week.start or session.ends_at > week.end:
        add(OUTSIDE_WEEK, f"is outside the week {week.first_day}..{week.last_day}")
    if request.not_before and session.starts_at < request.not_before:
        add(BEFORE_NOT_BEFORE, f"starts before {_local(request.not_before, week.zone)}")
    subjects = {subject.subject_id: subject for subject in request.subjects}
    if session.subject_id is None:
        add(MISSING_SUBJECT, "has no subject")
    elif (subject := subjects.get(session.subject_id)) is None:
        add(UNKNOWN_SUBJECT, f"has subject {session.subject_id}, not one of the request's")
    elif (cutoff := week.exam_cutoff(subject)) and session.ends_at > cutoff:
        add(ON_OR_AFTER_EXAM, f"studies {subject.name} on or after its exam on {subject.exam_date}")
    return found


def _feedback_rules(
    limits: feedback.Limits, week: Week, index: int, session: PlannedSession
) -> list[Violation]:
    found = []
    start = session.starts_at.astimezone(week.zone)
    end = session.ends_at.astimezone(week.zone)
    span = _span(session, week.zone)
    days = {start.date(), (session.ends_at - _INSTANT).astimezone(week.zone).date()}
    for day in sorted(d for d in days if d.weekday() in limits.free_days):
        text = f"session {index} ({span}) is on {day:%A}, a day the feedback asked to keep free"
        found.append(Violation(FEEDBACK_FREE_DAY, text, index))
    low = start.hour * 60 + start.minute
    high = end.hour * 60 + end.minute + (end.date() - start.date()).days * 24 * 60
    for blocked_start, blocked_end, name in limits.blocked:
        if low < blocked_end and blocked_start < high:
            text = f"session {index} ({span}) breaks the feedback's wish {name!r}"
            found.append(Violation(FEEDBACK_BLOCKED_TIME, text, index))
    return found


def _inside_a_window(week: Week, session: PlannedSession) -> bool:
    day = local_date(session.starts_at, week.zone)
    # A fall-back hour at midnight can start a session on the previous date's clock.
    windows = week.windows_on(day - DAY) + week.windows_on(day)
    return any(start <= session.starts_at and session.ends_at <= end for start, end in windows)


def _spacing_rules(
    request: PlanRequested, timed: list[tuple[int, PlannedSession]]
) -> list[Violation]:
    found = []
    minutes = request.preferences.break_minutes
    gap_needed = timedelta(minutes=minutes)
    kept = [k for k in request.keep_sessions if k.ends_at > k.starts_at]
    for position, (index, session) in enumerate(timed):
        for other_index, other in timed[:position]:
            gap = _gap(session, other)
            if gap < timedelta(0):
                text = f"session {index} overlaps session {other_index}"
                found.append(Violation(OVERLAP, text, index))
            elif gap < gap_needed:
                text = f"sessions {other_index} and {index} are less than {minutes} minutes apart"
                found.append(Violation(BREAK_TOO_SHORT, text, index))
        for keep in kept:
            gap = _gap(session, keep)
            name = f"kept session {keep.title!r}"
            if gap < timedelta(0):
                text = f"session {index} overlaps {name}"
                found.append(Violation(OVERLAPS_KEPT_SESSION, text, index))
            elif gap < gap_needed:
                text = f"session {index} is less than {minutes} minutes from {name}"
                found.append(Violation(BREAK_TOO_SHORT, text, index))
    return found


def _busy_rules(
    request: PlanRequested, week: Week, timed: list[tuple[int, PlannedSession]]
) -> list[Violation]:
    found = []
    for index, session in timed:
        for busy in request.busy:
            if session.starts_at < busy.ends_at and busy.starts_at < session.ends_at:
                text = (
                    f"session {index} ({_span(session, week.zone)}) overlaps busy time "
                    f"{_local(busy.starts_at, week.zone)} to {_local(busy.ends_at, week.zone)}"
                )
                found.append(Violation(OVERLAPS_BUSY_TIME, text, index))
    return found


def _gap(a: PlannedSession | SessionSnapshot, b: PlannedSession | SessionSnapshot) -> timedelta:
    """Time between two sessions; negative when they overlap (touching is a gap of zero)."""
    return max(a.starts_at, b.starts_at) - min(a.ends_at, b.ends_at)


def _daily_rules(
    request: PlanRequested, week: Week, timed: list[tuple[int, PlannedSession]]
) -> list[Violation]:
    cap = request.preferences.daily_goal_minutes
    touched = {local_date(s.starts_at, week.zone) for _, s in timed}
    touched |= {local_date(s.ends_at - _INSTANT, week.zone) for _, s in timed}
    found = []
    for day in sorted(touched):
        bounds = day_bounds(day, week.zone)
        new = [(i, m) for i, s in timed if (m := _minutes_within(s, bounds)) > 0]
        if not new:
            continue
        kept = sum(_minutes_within(k, bounds) for k in request.keep_sessions)
        total = sum(m for _, m in new) + kept
        if total > cap:
            indexes = ", ".join(str(i) for i, _ in new)
            text = (
                f"{day}: {total:g} minutes planned (sessions {indexes}"
                f"{f' and {kept:g} kept minutes' if kept else ''}), "
                f"more than the daily goal of {cap} minutes"
            )
            found.append(Violation(DAILY_GOAL_EXCEEDED, text, None))
    return found


def _minutes_within(
    session: PlannedSession | SessionSnapshot, bounds: tuple[datetime, datetime]
) -> float:
    start, end = max(session.starts_at, bounds[0]), min(session.ends_at, bounds[1])
    return max((end - start).total_seconds() / 60, 0)


def _span(session: PlannedSession, zone: ZoneInfo) -> str:
    return f"{_local(session.starts_at, zone)} to {_local(session.ends_at, zone)}"


def _local(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%a %Y-%m-%d %H:%M %Z")
