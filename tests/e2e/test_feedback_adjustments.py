"""End to end through the gateway: each kind of structured feedback adjustment (the app's chips)
moves a real reschedule the asked way, shown by a measure of the plan and never by reading the
flags back.

For each kind, a fresh student with a current-week AI plan reschedules with a rating and that
one adjustment; the plan's sessions from the moment of the reschedule on are measured before
(the generated plan) and after (the rescheduled one): minutes of a subject, minutes in a part
of the day, minutes on a weekday, mean session length, heaviest day, earliest start and latest
end (local time). The students run side by side on one stack of its own.

The students live in a fixed-offset zone (`Etc/GMT±N`) where the day has just begun, so the
whole of today is still ahead, mornings included, whenever the test runs; the week starts on
Sunday when today is a Sunday, so at least two days remain.
"""

import asyncio
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from .isolated import isolated_stack
from .students import Student, preferences

pytestmark = pytest.mark.e2e

SUBJECTS = ("Organic Chemistry", "Art History", "Calculus")
PERIODS = {"morning": (5, 12), "afternoon": (12, 17), "evening": (17, 23)}
"""Local hours of the parts of the day, as the contract defines them (05-12, 12-17, 17-23)."""
RATING = 3
SESSION_MINUTES = 50
SESSIONS_A_DAY = 2
"""Two 50-minute sessions fit the students' 120-minute daily goal (`students.preferences`)."""
"""A neutral rating: the move measured is the adjustment's, not a low rating's lighter load."""


def _zone_where_the_day_just_began(now: datetime) -> ZoneInfo:
    """An `Etc/GMT±N` zone whose local time is in the first hour of a day."""
    offset = -now.hour if now.hour <= 12 else 24 - now.hour  # UTC+offset, -12..+14
    return ZoneInfo(f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT")


@dataclass(frozen=True)
class Session:
    subject_id: str
    starts_at: datetime
    ends_at: datetime

    @property
    def minutes(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 60


@dataclass
class Outcome:
    """One student's plan before and after the reschedule, from the reschedule's moment on."""

    zone: ZoneInfo
    subjects: dict[str, str]
    adjustments: dict[str, Any]
    before: list[Session]
    after: list[Session]
    job: dict[str, Any]
    generate_job: dict[str, Any]

    def local(self, instant: datetime) -> datetime:
        return instant.astimezone(self.zone)


Adjust = Callable[[dict[str, str], list[Session], ZoneInfo], dict[str, Any]]


@dataclass(frozen=True)
class Case:
    adjust: Adjust
    preferred_time_of_day: str = "any"
    via_feedback: bool = False
    """Sent through `POST /feedback` on the generation, then a reschedule with no body."""
    room_share: float = 1.5
    """The subjects' targets together, as a share of the week's room (two 50-minute sessions a
    day under the 120-minute daily goal): above 1 the daily goal binds."""


def _free_days(subjects: dict[str, str], before: list[Session], zone: ZoneInfo) -> dict:
    """The busiest one or two days of the rest of the week, leaving at least one day with
    sessions."""
    by_day: dict[int, float] = defaultdict(float)
    for session in before:
        by_day[session.starts_at.astimezone(zone).weekday()] += session.minutes
    busiest = sorted(by_day, key=lambda day: -by_day[day])
    return {"free_days": sorted(busiest[: min(2, len(busiest) - 1)])}


def _local_times(before: list[Session], zone: ZoneInfo) -> tuple[time, time]:
    """The earliest local start and the latest local end of the sessions."""
    starts = [s.starts_at.astimezone(zone).time() for s in before]
    ends = [s.ends_at.astimezone(zone).time() for s in before]
    return min(starts), max(ends)


def _not_before(subjects: dict[str, str], before: list[Session], zone: ZoneInfo) -> dict:
    """Two hours after the plan's earliest start, on the hour: the plan must move to obey."""
    earliest, _ = _local_times(before, zone)
    return {"not_before": f"{min(earliest.hour + 2, 20):02d}:00"}


def _not_after(subjects: dict[str, str], before: list[Session], zone: ZoneInfo) -> dict:
    """The hour before the plan's latest end: the plan must move to obey."""
    _, latest = _local_times(before, zone)
    hour = latest.hour - 1 if latest.minute == 0 else latest.hour
    return {"not_after": f"{max(hour, 8):02d}:00"}


CASES: dict[str, Case] = {
    "more": Case(lambda s, _b, _z: {"more": [s["Organic Chemistry"]]}),
    "less": Case(lambda s, _b, _z: {"less": [s["Art History"]]}),
    "avoid_periods": Case(lambda *_: {"avoid_periods": ["morning"]}, "morning"),
    "avoid_periods_via_feedback": Case(
        lambda *_: {"avoid_periods": ["morning"]}, "morning", via_feedback=True
    ),
    "prefer_period": Case(lambda *_: {"prefer_period": "evening"}, "morning"),
    "free_days": Case(_free_days),
    "session_length_shorter": Case(lambda *_: {"session_length": "shorter"}),
    "session_length_longer": Case(lambda *_: {"session_length": "longer"}),
    "daily_load_lighter": Case(lambda *_: {"daily_load": "lighter"}),
    # Needs below the room, so that there is room to study more.
    "daily_load_heavier": Case(lambda *_: {"daily_load": "heavier"}, room_share=0.75),
    "not_before": Case(_not_before, "morning"),
    "not_after": Case(_not_after, "evening"),
}


def _sessions(items: Iterable[dict[str, Any]], since: datetime) -> list[Session]:
    found = [
        Session(
            s["subject_id"],
            datetime.fromisoformat(s["starts_at"]),
            datetime.fromisoformat(s["ends_at"]),
        )
        for s in items
    ]
    return sorted((s for s in found if s.starts_at >= since), key=lambda s: s.starts_at)


async def _current_plan(student: Student) -> dict[str, Any]:
    answer = await student.call("GET", "/plans/current")
    assert answer.status_code == 200, answer.text
    return answer.json()


async def _run(student: Student, case: Case, zone: ZoneInfo) -> Outcome:
    today = datetime.now(zone).date()
    starts_on = "sunday" if today.weekday() == 6 else "monday"
    await student.set_preferences(
        preferences(
            timezone=zone.key,
            week_starts_on=starts_on,
            availability=[{"weekday": d, "start": "06:00", "end": "23:00"} for d in range(7)],
            preferred_time_of_day=case.preferred_time_of_day,
        )
    )
    days_left = 7 - (today.weekday() + (1 if starts_on == "sunday" else 0)) % 7
    if case.room_share < 1:
        # Whole sessions, so that the generated plan leaves sessions free whatever the number of
        # days left (75 % of 3 days' room in minutes rounds up to every session of them).
        free_sessions = int(days_left * SESSIONS_A_DAY * case.room_share) // len(SUBJECTS)
        target = max(free_sessions, 1) * SESSION_MINUTES
    else:
        target = round(days_left * 100 * case.room_share / len(SUBJECTS) / 5) * 5
    subjects = {
        name: (await student.add_subject(name, difficulty=3, target_minutes_per_week=target))["id"]
        for name in SUBJECTS
    }
    queued = await student.generate_once_onboarded(timeout=120)
    generated = await student.finished_job(queued["id"], timeout=300, interval=0.5)
    assert generated["status"] == "completed", generated
    first = await _current_plan(student)
    planned = _sessions(first["sessions"], datetime.now(UTC))
    adjustments = case.adjust(subjects, planned, zone)
    feedback = {"rating": RATING, "adjustments": adjustments}
    if case.via_feedback:
        given = await student.call(
            "POST", "/feedback", json={"generation_id": generated["id"], **feedback}
        )
        assert given.status_code == 201, given.text
        assert given.json()["adjustments"]["avoid_periods"] == adjustments["avoid_periods"]
    body = {} if case.via_feedback else {"feedback": feedback}
    answer = await student.call("POST", "/ai/plans/reschedule", json=body)
    assert answer.status_code == 202, answer.text
    job = await student.finished_job(answer.json()["id"], timeout=300, interval=0.5)
    assert job["status"] == "completed", job
    asked_at = datetime.fromisoformat(job["created_at"])
    new = await _current_plan(student)
    assert new["id"] == job["plan_id"]
    return Outcome(
        zone=zone,
        subjects=subjects,
        adjustments=adjustments,
        before=_sessions(first["sessions"], asked_at),
        after=_sessions(new["sessions"], asked_at),
        job=job,
        generate_job=generated,
    )


async def _run_all(gateway: str) -> dict[str, Outcome]:
    zone = _zone_where_the_day_just_began(datetime.now(UTC))
    async with httpx.AsyncClient(base_url=f"{gateway}/api/v1", timeout=60) as api:
        # Sign-ups one at a time (password hashing is slow on purpose), the rest side by side.
        students = [
            await Student.register(api, f"adjust-{kind.replace('_', '-')}") for kind in CASES
        ]
        results = await asyncio.gather(
            *(
                _run(student, case, zone)
                for student, case in zip(students, CASES.values(), strict=True)
            )
        )
    return dict(zip(CASES, results, strict=True))


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, Outcome]:
    """Every case's student, run side by side once on this file's own stack."""
    log_dir = tmp_path_factory.mktemp("feedback-adjustments-logs")
    # Eleven students' jobs queue behind each other on two shared cores: no deadline failures.
    slow = {"GENERATION_DEADLINE_SECONDS": "600"}
    with isolated_stack(log_dir, "feedback_adjustments", slow) as stack:
        return asyncio.run(_run_all(stack.gateway))


# The measures.


def minutes_of(sessions: list[Session], subject_id: str) -> float:
    return sum(s.minutes for s in sessions if s.subject_id == subject_id)


def minutes_in_period(outcome: Outcome, sessions: list[Session], period: str) -> float:
    """Minutes of the sessions inside the local part of the day."""
    first, last = PERIODS[period]
    total = 0.0
    for session in sessions:
        start, end = outcome.local(session.starts_at), outcome.local(session.ends_at)
        window_start = datetime.combine(start.date(), time(first), start.tzinfo)
        window_end = datetime.combine(start.date(), time(last), start.tzinfo)
        overlap = min(end, window_end) - max(start, window_start)
        total += max(overlap, timedelta()).total_seconds() / 60
    return total


def minutes_by_day(outcome: Outcome, sessions: list[Session]) -> dict[int, float]:
    days: dict[int, float] = defaultdict(float)
    for session in sessions:
        days[outcome.local(session.starts_at).weekday()] += session.minutes
    return days


def mean_length(sessions: list[Session]) -> float:
    return sum(s.minutes for s in sessions) / len(sessions)


def earliest_start(outcome: Outcome, sessions: list[Session]) -> time:
    return min(outcome.local(s.starts_at).time() for s in sessions)


def latest_end(outcome: Outcome, sessions: list[Session]) -> time:
    return max(outcome.local(s.ends_at).time() for s in sessions)


def _outcome(outcomes: dict[str, Outcome], kind: str) -> Outcome:
    outcome = outcomes[kind]
    assert outcome.before, f"{kind}: the generated plan had nothing left this week"
    assert outcome.after, f"{kind}: the reschedule placed nothing"
    return outcome


# One test per kind of adjustment: the plan moved the asked way.


def test_more_gives_the_subject_more_minutes(outcomes):
    o = _outcome(outcomes, "more")
    chemistry = o.subjects["Organic Chemistry"]
    assert minutes_of(o.after, chemistry) > minutes_of(o.before, chemistry)


def test_less_gives_the_subject_fewer_minutes(outcomes):
    o = _outcome(outcomes, "less")
    art = o.subjects["Art History"]
    assert minutes_of(o.after, art) < minutes_of(o.before, art)


@pytest.mark.parametrize("kind", ["avoid_periods", "avoid_periods_via_feedback"])
def test_an_avoided_period_has_no_minutes_left(outcomes, kind):
    """Sent with the reschedule, or earlier with a rating through `POST /feedback`."""
    o = _outcome(outcomes, kind)
    assert minutes_in_period(o, o.before, "morning") > 0
    assert minutes_in_period(o, o.after, "morning") == 0


def test_a_preferred_period_gets_more_minutes(outcomes):
    o = _outcome(outcomes, "prefer_period")
    assert minutes_in_period(o, o.after, "evening") > minutes_in_period(o, o.before, "evening")


def test_free_days_have_no_minutes_left(outcomes):
    o = _outcome(outcomes, "free_days")
    free = o.adjustments["free_days"]
    assert free, "no day had sessions to free"
    before, after = minutes_by_day(o, o.before), minutes_by_day(o, o.after)
    assert all(before[day] > 0 for day in free)
    assert [after[day] for day in free] == [0] * len(free)


def test_shorter_sessions_are_shorter_on_average(outcomes):
    o = _outcome(outcomes, "session_length_shorter")
    assert mean_length(o.after) < mean_length(o.before)


def test_longer_sessions_are_longer_on_average(outcomes):
    o = _outcome(outcomes, "session_length_longer")
    assert mean_length(o.after) > mean_length(o.before)


def test_a_lighter_load_lowers_the_heaviest_day(outcomes):
    o = _outcome(outcomes, "daily_load_lighter")
    assert max(minutes_by_day(o, o.after).values()) < max(minutes_by_day(o, o.before).values())


def test_a_heavier_load_raises_the_heaviest_day_or_the_week(outcomes):
    """More per day: the busiest day got heavier, or it stayed and the week holds more."""
    o = _outcome(outcomes, "daily_load_heavier")
    busiest_before = max(minutes_by_day(o, o.before).values())
    busiest_after = max(minutes_by_day(o, o.after).values())
    total_before, total_after = (sum(s.minutes for s in x) for x in (o.before, o.after))
    assert busiest_after >= busiest_before
    assert busiest_after > busiest_before or total_after > total_before


def test_not_before_moves_the_earliest_start_to_then(outcomes):
    o = _outcome(outcomes, "not_before")
    asked = time.fromisoformat(o.adjustments["not_before"])
    assert earliest_start(o, o.before) < asked
    assert earliest_start(o, o.after) >= asked


def test_not_after_moves_the_latest_end_to_then(outcomes):
    o = _outcome(outcomes, "not_after")
    asked = time.fromisoformat(o.adjustments["not_after"])
    assert latest_end(o, o.before) > asked
    assert latest_end(o, o.after) <= asked


def test_the_job_reports_what_was_understood_and_applied(outcomes):
    """The app reads the generator's report on the job: each case's one chip understood, and
    applied or said to be not met; a generate job has no report."""
    for kind, o in outcomes.items():
        assert o.generate_job["feedback"] is None, kind
        report = o.job["feedback"]
        assert report is not None, kind
        understood = {k: v for k, v in report["understood"].items() if v not in (None, [])}
        assert understood == o.adjustments, kind
        # Every wish moved the plan (the tests above), and the report says so.
        assert report["applied"], kind
        assert report["not_met"] == [], (kind, report)
        assert report["not_understood"] == [], (kind, report)
