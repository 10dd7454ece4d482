"""Feedback honoured: every comment of the comment set through a real reschedule, the plan
measured before and after, per kind of wish.

The student: five subjects (Organic Chemistry, Art History, Calculus, Biology, Spanish) with
weekly targets (900 minutes a week) or, in a second run, without (a fresh account: then the
plan fills every day to the daily goal, so a heavier load cannot be met), a daily goal of 3
hours in 50-minute sessions with 10-minute breaks, free on weekdays 07:00-09:30, 12:30-14:00
and 16:00-22:30 and on weekends 09:00-21:00, in Berlin, no preferred part of the day. The local
solver plans the week from Monday; on Wednesday the sessions of Monday and Tuesday are done
(kept) and the student asks for a reschedule of the rest of the week with one comment of the
set and its rating (2 unless the set says otherwise), like the app's "reschedule with
feedback".

Each comment's expected wishes (from the set, not from the interpreter) are measured on the
new plan against the replaced plan's sessions from Wednesday on (`feedback.measure.moved`:
minutes per subject, share of a part of the day, minutes on a day, mean session length,
busiest day and total, earliest start and latest end). The table gives, per kind of wish, the
share whose plan moved the asked way, and how many the generator reported as not met.

`python -m benchmarks.feedback [SET.yaml]` runs it alone (another set of the same format, e.g.
comments not seen while building the interpreter); in `python -m benchmarks` it is the section
"feedback" (it ignores the stack).
"""

import sys
import time
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import yaml

from ai.scheduling import NoFeasiblePlan, solve, validate
from ai.scheduling.feedback import interpret
from ai.scheduling.feedback.measure import measure, moved
from schediora_contracts.common import (
    AvailabilityWindow,
    FeedbackAdjustments,
    FeedbackSnapshot,
    Preferences,
    SessionSnapshot,
    SubjectSnapshot,
)
from schediora_contracts.events import PlanRequested
from schediora_contracts.local_time import zone_of

SET = Path(__file__).parents[1] / "services" / "ai" / "tests" / "feedback_comments.yaml"
ZONE = "Europe/Berlin"
MONDAY = date(2026, 11, 23)
WEDNESDAY = MONDAY + timedelta(days=2)
SUBJECTS = {
    "Organic Chemistry": (5, 240),
    "Art History": (2, 150),
    "Calculus": (4, 210),
    "Biology": (3, 180),
    "Spanish": (2, 120),
}
"""Name → (difficulty, weekly target in minutes)."""
KINDS = (
    "more",
    "less",
    "avoid_periods",
    "prefer_period",
    "free_days",
    "session_length shorter",
    "session_length longer",
    "daily_load lighter",
    "daily_load heavier",
    "not_before",
    "not_after",
)


def _windows() -> tuple[AvailabilityWindow, ...]:
    weekdays = (("07:00", "09:30"), ("12:30", "14:00"), ("16:00", "22:30"))
    return tuple(
        AvailabilityWindow(weekday=day, start=start, end=end)
        for day in range(7)
        for start, end in (weekdays if day < 5 else (("09:00", "21:00"),))
    )


def _subjects(names: list[str], targets: bool) -> tuple[SubjectSnapshot, ...]:
    return tuple(
        SubjectSnapshot(
            subject_id=uuid.uuid5(uuid.NAMESPACE_URL, f"bench-subject:{name}"),
            name=name,
            difficulty=SUBJECTS.get(name, (3, 150))[0],
            target_minutes_per_week=SUBJECTS.get(name, (3, 150))[1] if targets else None,
        )
        for name in names
    )


def _request(subjects: tuple[SubjectSnapshot, ...], **changes) -> PlanRequested:
    return PlanRequested(
        job_id=uuid.uuid4(),
        user_id=uuid.UUID(int=7),
        kind="generate",
        week_start=MONDAY,
        week_end=MONDAY + timedelta(days=6),
        timezone=ZONE,
        preferences=Preferences(
            timezone=ZONE,
            week_starts_on="monday",
            daily_goal_minutes=180,
            session_minutes=50,
            break_minutes=10,
            availability=_windows(),
            preferred_time_of_day="any",
        ),
        subjects=subjects,
        requested_at=datetime(2026, 11, 23, 6, tzinfo=UTC),
    ).model_copy(update=changes)


def _previous(subjects: tuple[SubjectSnapshot, ...]) -> tuple[SessionSnapshot, ...]:
    """The week's plan as the solver made it, seen on Wednesday: Monday and Tuesday done."""
    cut = datetime.combine(WEDNESDAY, datetime.min.time(), zone_of(ZONE))
    return tuple(
        SessionSnapshot(
            session_id=uuid.uuid5(uuid.NAMESPACE_URL, f"bench-session:{i}"),
            subject_id=s.subject_id,
            title=s.title,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            status="completed" if s.ends_at <= cut else "planned",
        )
        for i, s in enumerate(solve(_request(subjects)).sessions)
    )


def expected(entry: dict, subjects: tuple[SubjectSnapshot, ...]) -> FeedbackAdjustments:
    wishes = dict(entry.get("expect") or {})
    ids = {s.name: s.subject_id for s in subjects}
    for field in ("more", "less"):
        if field in wishes:
            wishes[field] = [ids[name] for name in wishes[field]]
    return FeedbackAdjustments(**wishes)


def wishes_of(asked: FeedbackAdjustments) -> list[tuple[str, str, object]]:
    """(kind as in the table, field, value) of each wish."""
    found: list[tuple[str, str, object]] = []
    for field in ("more", "less", "avoid_periods", "free_days"):
        found += [(field, field, value) for value in getattr(asked, field)]
    for field in ("prefer_period", "not_before", "not_after"):
        if getattr(asked, field) is not None:
            found.append((field, field, getattr(asked, field)))
    for field in ("session_length", "daily_load"):
        value = getattr(asked, field)
        if value is not None:
            found.append((f"{field} {value}", field, value))
    return found


def same(a: FeedbackAdjustments, b: FeedbackAdjustments) -> bool:
    return all(
        set(x) == set(y) if isinstance(x, tuple) else x == y
        for x, y in zip(a.model_dump().values(), b.model_dump().values(), strict=True)
    )


def measure_set(path: Path = SET, *, targets: bool = True) -> str:
    data = yaml.safe_load(path.read_text())
    subjects = _subjects(data["subjects"], targets)
    previous = _previous(subjects)
    zone = zone_of(ZONE)
    not_before = datetime.combine(WEDNESDAY, datetime.min.time(), zone)
    before = measure([s for s in previous if s.starts_at >= not_before], zone)
    asked, honoured, reported = Counter(), Counter(), Counter()
    exact = invalid = refused = whole = with_wishes = 0
    missed: list[str] = []
    started = time.perf_counter()
    for entry in data["comments"]:
        wanted = expected(entry, subjects)
        exact += same(interpret(entry["text"], subjects).wishes, wanted)
        request = _request(
            subjects,
            kind="reschedule",
            previous_sessions=previous,
            keep_sessions=tuple(s for s in previous if s.status == "completed"),
            not_before=not_before,
            feedback=FeedbackSnapshot(rating=entry.get("rating", 2), comments=entry["text"]),
        )
        try:
            schedule = solve(request)
        except NoFeasiblePlan:
            refused += 1
            continue
        invalid += bool(validate(request, schedule.sessions))
        after = measure(schedule.sessions, zone)
        not_met = " ".join(schedule.quality["feedback"]["not_met"])
        wishes = wishes_of(wanted)
        with_wishes += bool(wishes)
        all_moved = True
        for kind, field, value in wishes:
            asked[kind] += 1
            if moved(field, value, before, after):
                honoured[kind] += 1
            else:
                all_moved = False
                missed.append(f"{entry['text']!r}: {kind} {value}")
                reported[kind] += field.split("_")[0] in not_met or kind in not_met
        whole += bool(wishes) and all_moved
    seconds = time.perf_counter() - started
    count = len(data["comments"])
    lines = [
        f"feedback, subjects {'with' if targets else 'without'} weekly targets: "
        f"{count} comments ({path.name}), {with_wishes} asking for something; "
        f"read exactly {exact}/{count} ({_share(exact, count)}); "
        f"{refused} refused, {invalid} invalid plans; {seconds:.0f} s",
        "",
        "| kind of wish | asked | plan moved the asked way | share | not moved, reported not met |",
        "|---|---|---|---|---|",
    ]
    for kind in KINDS:
        lines.append(
            f"| {kind} | {asked[kind]} | {honoured[kind]} | "
            f"{_share(honoured[kind], asked[kind])} | {reported[kind]} |"
        )
    total, done = sum(asked.values()), sum(honoured.values())
    lines += [
        f"| all wishes | {total} | {done} | {_share(done, total)} | {sum(reported.values())} |",
        "",
        f"comments whose every wish moved the plan: {whole}/{with_wishes} "
        f"({_share(whole, with_wishes)})",
    ]
    if missed:
        lines += ["", "not moved:", *(f"- {m}" for m in missed)]
    return "\n".join(lines)


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "-"


def measure_both(path: Path = SET) -> str:
    return measure_set(path, targets=True) + "\n\n" + measure_set(path, targets=False)


def section(_stack: object = None) -> str:
    """The "feedback" section of `python -m benchmarks`: it needs no service."""
    return measure_both()


if __name__ == "__main__":
    print(measure_both(Path(sys.argv[1]) if len(sys.argv) > 1 else SET))
