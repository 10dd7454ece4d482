"""Plan quality of the local solver against the greedy baseline, on seeded random scenarios.

Each scenario is a plan request: a week in a time zone with or without DST (DST weeks included),
1 to 28 availability windows, 1 to 8 subjects with exams before, inside and after the week, a
tight week (a few short windows, weekly targets above what they hold) or a loose one, and a third
of them reschedules with kept, skipped and missed sessions, half of those with feedback. The
solver (`ai.scheduling.solve`) and the greedy baseline (`ai.scheduling.solver.baseline`: earliest
first, the subject furthest below its fair share) plan each one; the same validator checks both
plans and the same scoring (`ai.scheduling.score`) rates both, term by term.

Solve times are those of the same scenarios, and of 100 more with 8 subjects and 28 windows
each (the largest models). `python -m benchmarks.plan_quality [COUNT] [SEED]` runs it alone,
without the services; in `python -m benchmarks` it is the section "plan_quality" (it ignores
the stack).
"""

import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from ai.scheduling import NoFeasiblePlan, Schedule, score, solve, validate
from ai.scheduling.quality import TERMS
from ai.scheduling.solver import baseline
from schediora_contracts.common import (
    AvailabilityWindow,
    BusyInterval,
    FeedbackSnapshot,
    Preferences,
    SessionSnapshot,
    SubjectSnapshot,
)
from schediora_contracts.events import PlanRequested
from schediora_contracts.local_time import wall_ranges, zone_of

SCENARIOS = 240
LARGEST = 100
"""Scenarios of 8 subjects and 28 windows, timed on their own: the largest models."""
SEED = 6
ZONES = (
    "UTC",
    "Europe/Berlin",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "Pacific/Kiritimati",
    "Pacific/Chatham",
)
WEEKS = (date(2026, 3, 23), date(2026, 10, 19), date(2026, 10, 26), date(2026, 11, 23))
"""Mondays: Berlin's spring and autumn DST weeks, Los Angeles' autumn one, a plain week."""
NAMES = ("Calculus", "Biology", "History", "Chemistry", "Physics", "French", "Art", "Economics")
COMMENTS = (
    "no mornings",
    "evenings only",
    "not after 9pm",
    "not before 10am",
    "too long",
    "too short",
    "too much",
    "more {subject}",
    "less {subject}",
    "more {subject}, no mornings",
    "great plan",
    "",
)


def scenario(
    rng: random.Random, *, subjects: int | None = None, windows: int | None = None
) -> PlanRequested:
    """One random plan request (see the module's docstring); `subjects` and `windows` fix
    those counts (a loose week, for the largest models)."""
    week_start = rng.choice(WEEKS)
    zone = rng.choice(ZONES)
    tight = windows is None and rng.random() < 0.4
    count = windows or (rng.randint(1, 8) if tight else rng.randint(6, 28))
    availability = _windows(rng, count, tight)
    studied = tuple(
        SubjectSnapshot(
            subject_id=UUID(int=rng.getrandbits(128)),
            name=NAMES[n],
            exam_date=_exam(rng, week_start),
            difficulty=rng.randint(1, 5),
            target_minutes_per_week=(
                rng.choice((240, 360, 600)) if tight else rng.choice((None, None, 60, 120, 300))
            ),
        )
        for n in range(subjects or rng.randint(1, 8))
    )
    preferences = Preferences(
        timezone=zone,
        week_starts_on="monday",
        daily_goal_minutes=rng.choice((60, 120, 180, 240, 480)),
        session_minutes=rng.choice((25, 45, 50, 60, 90)),
        break_minutes=rng.choice((0, 5, 10, 15)),
        availability=availability,
        preferred_time_of_day=rng.choice(("morning", "afternoon", "evening", "any")),
    )
    request = PlanRequested(
        job_id=UUID(int=rng.getrandbits(128)),
        user_id=UUID(int=rng.getrandbits(128)),
        kind="generate",
        week_start=week_start,
        week_end=week_start + timedelta(days=6),
        timezone=zone,
        preferences=preferences,
        subjects=studied,
        requested_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    if rng.random() < 1 / 3:
        request = _reschedule(rng, request)
    return request


def _exam(rng: random.Random, week_start: date) -> date | None:
    where = rng.random()
    if where < 0.35:
        return None
    if where < 0.7:
        return week_start + timedelta(days=rng.randint(1, 6))  # inside the week
    if where < 0.95:
        return week_start + timedelta(days=rng.randint(7, 30))  # after it
    return week_start - timedelta(days=rng.randint(0, 3))  # already passed


def _windows(rng: random.Random, count: int, tight: bool) -> tuple[AvailabilityWindow, ...]:
    """`count` non-overlapping windows (fewer if a day fills up)."""
    longest = 2 * 60 if tight else 6 * 60
    chosen: dict[int, list[tuple[int, int]]] = {}
    for _ in range(count):
        weekday = rng.randrange(7)
        start = rng.randrange(6 * 60, 23 * 60, 15)
        end = min(start + rng.randrange(30, longest + 1, 15), 24 * 60)
        taken = chosen.setdefault(weekday, [])
        if all(end <= s or start >= e for s, e in taken):
            taken.append((start, end))
    return tuple(
        AvailabilityWindow(weekday=weekday, start=_hhmm(s), end=_hhmm(e))
        for weekday, spans in sorted(chosen.items())
        for s, e in sorted(spans)
    )


def _reschedule(rng: random.Random, request: PlanRequested) -> PlanRequested:
    """The request as a reschedule on a random day: a previous plan of one session at the start
    of some windows, completed, skipped or missed before `not_before`, and maybe feedback."""
    zone = zone_of(request.timezone)
    week = [request.week_start + timedelta(days=i) for i in range(7)]
    not_before = wall_ranges(week[rng.randint(0, 5)], rng.randrange(0, 24 * 60, 5), 24 * 60, zone)
    now = not_before[0][0] if not_before else datetime.combine(week[0], datetime.min.time(), UTC)
    prefs = request.preferences
    previous = []
    for day in week:
        for window in prefs.availability:
            if window.weekday != day.weekday() or rng.random() < 0.5:
                continue
            start, end = _minutes(window.start), _minutes(window.end)
            end = min(end, start + prefs.session_minutes)
            ranges = wall_ranges(day, start, end, zone)
            if not ranges or (ranges[0][1] - ranges[0][0]) < timedelta(minutes=15):
                continue
            begins, ends = ranges[0]
            status = "planned"
            if ends <= now:
                status = rng.choice(("completed", "completed", "skipped", "planned"))
            previous.append(
                SessionSnapshot(
                    session_id=UUID(int=rng.getrandbits(128)),
                    subject_id=rng.choice(request.subjects).subject_id,
                    title="Earlier",
                    starts_at=begins,
                    ends_at=ends,
                    status=status,
                )
            )
    feedback = None
    if rng.random() < 0.5:
        comment = rng.choice(COMMENTS).format(subject=rng.choice(request.subjects).name.lower())
        feedback = FeedbackSnapshot(rating=rng.randint(1, 5), comments=comment or None)
    return request.model_copy(
        update={
            "kind": "reschedule",
            "not_before": now,
            "previous_sessions": tuple(previous),
            "keep_sessions": tuple(s for s in previous if s.status == "completed"),
            "feedback": feedback,
        }
    )


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass
class Tally:
    """What one planner did over the scenarios."""

    planned: int = 0
    refused: int = 0
    invalid: int = 0
    wall_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    scores: dict[str, list[float]] = field(default_factory=lambda: {t: [] for t in TERMS})
    shortfall: list[int] = field(default_factory=list)

    def run(self, planner: Callable[[PlanRequested], Schedule], request: PlanRequested):
        started, started_cpu = time.perf_counter(), time.process_time()
        try:
            schedule = planner(request)
        except NoFeasiblePlan:
            self.refused += 1
            return None
        finally:
            self.wall_ms.append((time.perf_counter() - started) * 1000)
            self.cpu_ms.append((time.process_time() - started_cpu) * 1000)
        self.planned += 1
        self.invalid += bool(validate(request, schedule.sessions))
        return schedule

    def add(self, request: PlanRequested, schedule: Schedule) -> None:
        for term, value in score(request, schedule.sessions).items():
            self.scores[term].append(value)
        self.shortfall.append(sum(schedule.quality["shortfall"].values()))


def measure(count: int = SCENARIOS, seed: int = SEED, largest: int = LARGEST) -> str:
    rng = random.Random(seed)
    requests = [scenario(rng) for _ in range(count)]
    big = Tally()
    for request in [scenario(rng, subjects=8, windows=28) for _ in range(largest)]:
        big.run(solve, request)
    solver, greedy = Tally(), Tally()
    better = dict.fromkeys(TERMS, 0)
    worse = dict.fromkeys(TERMS, 0)
    tight = 0
    for request in requests:
        solved = solver.run(solve, request)
        based = greedy.run(baseline, request)
        if solved is None or based is None:
            continue
        solver.add(request, solved)
        greedy.add(request, based)
        tight += bool(solved.quality["shortfall"])
        for term in TERMS:
            a, b = solver.scores[term][-1], greedy.scores[term][-1]
            better[term] += a > b + 1e-9
            worse[term] += a < b - 1e-9
    compared = len(solver.scores["urgency"])
    valid = solver.planned - solver.invalid
    lines = [
        f"plan quality: {count} scenarios (seed {seed}), {solver.planned} planned, "
        f"{solver.refused} refused (no time or no subject left), {compared} compared, "
        f"{tight} with a shortfall",
        "",
        f"valid plans: solver {valid}/{solver.planned} ({_share(valid, solver.planned)}), "
        f"greedy {greedy.planned - greedy.invalid}/{greedy.planned} "
        f"({_share(greedy.planned - greedy.invalid, greedy.planned)})",
        "",
        "| term (0-1, mean) | solver | greedy | solver better | same | worse |",
        "|---|---|---|---|---|---|",
    ]
    for term in TERMS:
        same = compared - better[term] - worse[term]
        lines.append(
            f"| {term} | {statistics.fmean(solver.scores[term]):.3f} | "
            f"{statistics.fmean(greedy.scores[term]):.3f} | {better[term]} | {same} | "
            f"{worse[term]} |"
        )
    lines.append(
        f"| shortfall (min, mean) | {statistics.fmean(solver.shortfall):.0f} | "
        f"{statistics.fmean(greedy.shortfall):.0f} | | | |"
    )
    lines += [
        "",
        "| time per plan | p50 ms | p95 ms | max ms |",
        "|---|---|---|---|",
        _times("solver wall", solver.wall_ms),
        _times("solver cpu", solver.cpu_ms),
        _times("greedy wall", greedy.wall_ms),
        _times(f"solver wall, 8 subjects and 28 windows ({largest})", big.wall_ms),
        _times(f"solver cpu, 8 subjects and 28 windows ({largest})", big.cpu_ms),
        "",
        f"8 subjects and 28 windows: {big.planned - big.invalid}/{big.planned} valid, "
        f"{big.refused} refused",
        "",
        busy_times(BUSY_SCENARIOS, seed),
    ]
    return "\n".join(lines)


BUSY_SCENARIOS = 50


def timetable(rng: random.Random, request: PlanRequested) -> tuple[BusyInterval, ...]:
    """A student's classes in the requested week: 3 to 15 lectures of 45 to 180 minutes
    between 08:00 and 21:00 local time (some overlapping each other), as occurrences."""
    zone = zone_of(request.timezone)
    found = []
    for _ in range(rng.randint(3, 15)):
        day = request.week_start + timedelta(days=rng.randint(0, 6))
        start = rng.randrange(8 * 60, 21 * 60, 15)
        wall = datetime.combine(day, datetime.min.time()) + timedelta(minutes=start)
        starts_at = wall.replace(tzinfo=zone).astimezone(UTC)
        length = timedelta(minutes=rng.choice((45, 60, 90, 120, 180)))
        found.append(BusyInterval(starts_at=starts_at, ends_at=starts_at + length))
    return tuple(found)


def busy_times(count: int = BUSY_SCENARIOS, seed: int = SEED) -> str:
    """Plans over random timetables (busy time, PlanRequested.busy): how many sessions overlap
    a busy occurrence (the solver plans around them; the validator would refuse one)."""
    rng = random.Random(seed * 1000 + 14)
    planned = refused = invalid = sessions = occurrences = overlapping = 0
    for _ in range(count):
        request = scenario(rng)
        request = request.model_copy(update={"busy": timetable(rng, request)})
        occurrences += len(request.busy)
        try:
            plan = solve(request)
        except NoFeasiblePlan:
            refused += 1
            continue
        planned += 1
        invalid += bool(validate(request, plan.sessions))
        sessions += len(plan.sessions)
        overlapping += sum(
            s.starts_at < b.ends_at and b.starts_at < s.ends_at
            for s in plan.sessions
            for b in request.busy
        )
    return (
        f"busy times: {count} scenarios with random timetables ({occurrences} busy "
        f"occurrences), {planned} planned, {refused} refused, {invalid} invalid; "
        f"{sessions} sessions, {overlapping} overlapping a busy occurrence"
    )


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "-"


def _times(name: str, timings: list[float]) -> str:
    cuts = statistics.quantiles(timings, n=100)
    return f"| {name} | {cuts[49]:.1f} | {cuts[94]:.1f} | {max(timings):.1f} |"


def section(_stack: object = None) -> str:
    """The "plan_quality" section of `python -m benchmarks`: it needs no service."""
    return measure()


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    print(measure(args[0] if args else SCENARIOS, args[1] if len(args) > 1 else SEED))
