"""`python -m ai.scheduling.bench [COUNT] [SEED]`: solve random week requests, print solve times.

Requests are drawn from a seeded random generator: up to 8 subjects and 28 windows, time zones
with and without DST (weeks of a DST change included), a third of them reschedules with kept
sessions and `not_before`. Speed is measured here, never asserted in tests.
"""

import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from ai.scheduling.local_time import day_start, zone_of
from ai.scheduling.schedule import NoFeasiblePlan
from ai.scheduling.solver import solve
from ai.scheduling.validator import validate
from schediora_contracts.common import (
    AvailabilityWindow,
    Preferences,
    SessionSnapshot,
    SubjectSnapshot,
)
from schediora_contracts.events import PlanRequested

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
WEEKS = (date(2026, 3, 23), date(2026, 10, 19), date(2026, 11, 2), date(2026, 11, 23))
"""Mondays: Berlin's spring and autumn DST weeks, Los Angeles' autumn one, a plain week."""


def random_request(
    rng: random.Random, *, windows: int | None = None, subjects: int | None = None
) -> PlanRequested:
    week_start = rng.choice(WEEKS)
    zone = rng.choice(ZONES)
    availability = _windows(rng, windows or rng.randint(1, 28))
    studied = tuple(
        SubjectSnapshot(
            subject_id=UUID(int=rng.getrandbits(128)),
            name=f"Subject {n}",
            exam_date=(
                week_start + timedelta(days=rng.randint(-2, 30)) if rng.random() < 0.6 else None
            ),
            difficulty=rng.randint(1, 5),
            target_minutes_per_week=rng.choice((None, None, 60, 120, 300)),
        )
        for n in range(subjects or rng.randint(1, 8))
    )
    preferences = Preferences(
        timezone=zone,
        week_starts_on="monday",
        daily_goal_minutes=rng.choice((30, 60, 120, 180, 240, 480)),
        session_minutes=rng.choice((25, 45, 50, 60, 90)),
        break_minutes=rng.choice((0, 5, 10, 15)),
        availability=availability,
        preferred_time_of_day=rng.choice(("morning", "afternoon", "evening", "any")),
    )
    kind = "reschedule" if rng.random() < 1 / 3 else "generate"
    start = day_start(week_start, zone_of(zone))
    not_before = start + timedelta(minutes=rng.randint(0, 5 * 24 * 60))
    keep = (
        tuple(
            SessionSnapshot(
                session_id=UUID(int=rng.getrandbits(128)),
                subject_id=rng.choice(studied).subject_id,
                title="kept",
                starts_at=(kept := start + timedelta(minutes=rng.randrange(0, 7 * 24 * 60, 15))),
                ends_at=kept + timedelta(minutes=rng.choice((30, 50, 90))),
                status="completed",
            )
            for _ in range(rng.randint(0, 3))
        )
        if kind == "reschedule"
        else ()
    )
    return PlanRequested(
        job_id=UUID(int=rng.getrandbits(128)),
        user_id=UUID(int=rng.getrandbits(128)),
        kind=kind,
        week_start=week_start,
        week_end=week_start + timedelta(days=6),
        timezone=zone,
        preferences=preferences,
        subjects=studied,
        keep_sessions=_apart(keep),
        not_before=not_before if kind == "reschedule" else None,
        requested_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def _windows(rng: random.Random, count: int) -> tuple[AvailabilityWindow, ...]:
    """`count` non-overlapping windows (fewer if a day fills up), 30 minutes to 6 hours long."""
    chosen: dict[int, list[tuple[int, int]]] = {}
    for _ in range(count):
        weekday = rng.randrange(7)
        start = rng.randrange(0, 24 * 60 - 30, 15)
        end = min(start + rng.randrange(30, 6 * 60 + 1, 15), 24 * 60)
        taken = chosen.setdefault(weekday, [])
        if all(end <= s or start >= e for s, e in taken):
            taken.append((start, end))
    return tuple(
        AvailabilityWindow(weekday=weekday, start=_hhmm(s), end=_hhmm(e))
        for weekday, spans in sorted(chosen.items())
        for s, e in sorted(spans)
    )


def _apart(sessions: tuple[SessionSnapshot, ...]) -> tuple[SessionSnapshot, ...]:
    """Kept sessions never overlap each other: drop any that would."""
    kept: list[SessionSnapshot] = []
    for session in sorted(sessions, key=lambda s: s.starts_at):
        if not kept or session.starts_at >= kept[-1].ends_at:
            kept.append(session)
    return tuple(kept)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def measure(requests: list[PlanRequested]) -> tuple[list[float], list[float], int, int]:
    """Wall and CPU milliseconds per solve (CPU time is what other load on the machine does not
    inflate), how many requests were refused, how many plans failed validation."""
    wall, cpu, refused, invalid = [], [], 0, 0
    for request in requests:
        started, started_cpu = time.perf_counter(), time.process_time()
        try:
            schedule = solve(request)
        except NoFeasiblePlan:
            refused += 1
            continue
        finally:
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        invalid += bool(validate(request, schedule.sessions))
    return wall, cpu, refused, invalid


def _percentiles(timings: list[float]) -> str:
    cuts = statistics.quantiles(timings, n=100)
    return f"p50 {cuts[49]:.1f} ms, p95 {cuts[94]:.1f} ms, max {max(timings):.1f} ms"


def main(count: int, seed: int) -> int:
    rng = random.Random(seed)
    profiles = {
        "mixed (1-8 subjects, 1-28 windows)": [random_request(rng) for _ in range(count)],
        "full (8 subjects, 28 windows)": [
            random_request(rng, windows=28, subjects=8) for _ in range(count)
        ],
    }
    failed = 0
    for name, requests in profiles.items():
        wall, cpu, refused, invalid = measure(requests)
        print(f"{name}: {count} requests, {refused} refused, {invalid} invalid")
        print(f"  wall {_percentiles(wall)}")
        print(f"  cpu  {_percentiles(cpu)}")
        failed += invalid
    return 1 if failed else 0


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    raise SystemExit(main(args[0] if args else 200, args[1] if len(args) > 1 else 1))
