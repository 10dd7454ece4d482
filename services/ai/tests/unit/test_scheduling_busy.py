"""Busy time (the student's timetable, `PlanRequested.busy`): the solver plans around it and
the validator refuses any plan that overlaps it; 50 plans over random timetables overlap none."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from ai.scheduling import NoFeasiblePlan, solve, validate
from schediora_contracts.common import BusyInterval
from schediora_contracts.events import PlanRequested
from schediora_contracts.local_time import zone_of

from .plan_requests import (
    BERLIN_FALL_BACK_MONDAY,
    MONDAY,
    every_day,
    local,
    plan_request,
    planned,
    subject,
    window,
)

CALCULUS = subject("Calculus", exam_date=MONDAY + timedelta(days=9), difficulty=4)
HISTORY = subject("History")
ZONES = ("UTC", "Europe/Berlin", "America/Los_Angeles", "Asia/Kathmandu", "Pacific/Kiritimati")
MONDAYS = (MONDAY, BERLIN_FALL_BACK_MONDAY, date(2026, 3, 23), date(2026, 10, 26))


def busy(starts_at: datetime, ends_at: datetime) -> BusyInterval:
    return BusyInterval(starts_at=starts_at, ends_at=ends_at)


def with_busy(request: PlanRequested, *intervals: BusyInterval) -> PlanRequested:
    return request.model_copy(update={"busy": tuple(intervals)})


def overlaps(session, interval: BusyInterval) -> bool:
    return session.starts_at < interval.ends_at and interval.starts_at < session.ends_at


def test_a_session_over_busy_time_is_refused_and_one_touching_it_is_not():
    lecture = busy(local(MONDAY, "18:00"), local(MONDAY, "19:30"))
    request = with_busy(plan_request(subjects=(CALCULUS, HISTORY)), lecture)
    over = planned(CALCULUS, local(MONDAY, "19:00"), local(MONDAY, "19:50"))
    touching = planned(CALCULUS, local(MONDAY, "19:30"), local(MONDAY, "20:20"))
    violations = validate(request, [over])
    assert [(v.code, v.session_index) for v in violations] == [("overlaps_busy_time", 0)]
    assert "busy time" in violations[0].message
    assert validate(request, [touching]) == []


def test_the_solver_plans_around_every_busy_occurrence():
    # Classes fill 18:00-19:30 every weekday evening; only 19:30-21:00 and the weekend are free.
    classes = [
        busy(local(MONDAY + timedelta(days=d), "18:00"), local(MONDAY + timedelta(days=d), "19:30"))
        for d in range(5)
    ]
    request = with_busy(plan_request(subjects=(CALCULUS, HISTORY)), *classes)
    plan = solve(request)
    assert plan.sessions
    assert validate(request, plan.sessions) == []
    assert not any(overlaps(s, c) for s in plan.sessions for c in classes)
    without = solve(plan_request(subjects=(CALCULUS, HISTORY)))
    assert any(overlaps(s, c) for s in without.sessions for c in classes)  # they mattered


def test_busy_time_over_every_window_leaves_no_available_time():
    days = [MONDAY + timedelta(days=d) for d in range(7)]
    request = with_busy(
        plan_request(subjects=(CALCULUS,)),
        *(busy(local(day, "17:00"), local(day, "22:00")) for day in days),
    )
    with pytest.raises(NoFeasiblePlan) as refused:
        solve(request)
    assert refused.value.code == "no_available_time"


def outcome(request: PlanRequested):
    try:
        return solve(request)
    except NoFeasiblePlan as refused:
        return refused


def random_timetable(rng: random.Random, zone: str, monday: date) -> tuple[BusyInterval, ...]:
    """A student's week of classes: 3-12 lectures of 45-180 minutes between 08:00 and 21:00
    local time, some of them overlapping each other, as the occurrences a timetable expands to."""
    intervals = []
    for _ in range(rng.randint(3, 12)):
        day = monday + timedelta(days=rng.randint(0, 6))
        start = rng.randrange(8 * 60, 21 * 60, 15)
        length = rng.choice((45, 60, 90, 120, 180))
        begins = datetime.combine(day, datetime.min.time()) + timedelta(minutes=start)
        starts_at = begins.replace(tzinfo=zone_of(zone)).astimezone(UTC)
        intervals.append(busy(starts_at, starts_at + timedelta(minutes=length)))
    return tuple(intervals)


def random_request(rng: random.Random) -> PlanRequested:
    zone = rng.choice(ZONES)
    monday = rng.choice(MONDAYS)
    windows = []
    for weekday in range(7):
        if rng.random() < 0.8:
            start = rng.choice(("08:00", "10:00", "14:00", "17:00"))
            end = rng.choice(("18:00", "20:00", "22:00", "24:00"))
            windows.append(window(weekday, start, end))
    request = plan_request(
        subjects=(
            subject("Calculus", exam_date=monday + timedelta(days=rng.randint(3, 20))),
            subject("History", difficulty=rng.randint(1, 5)),
            subject("Biology", difficulty=rng.randint(1, 5)),
        ),
        availability=tuple(windows) or every_day("18:00", "21:00"),
        timezone=zone,
        week_start=monday,
        daily_goal_minutes=rng.choice((60, 120, 180, 240)),
        session_minutes=rng.choice((25, 50, 90)),
        break_minutes=rng.choice((0, 10, 15)),
    )
    return with_busy(request, *random_timetable(rng, zone, monday))


def test_50_plans_over_random_timetables_overlap_no_busy_occurrence():
    rng = random.Random(14)
    plans = overlapping = 0
    for _ in range(50):
        request = random_request(rng)
        plan = outcome(request)
        if isinstance(plan, NoFeasiblePlan):
            assert plan.code in {"no_available_time", "nothing_to_plan", "no_subjects"}
            continue
        plans += 1
        assert validate(request, plan.sessions) == []
        overlapping += sum(overlaps(s, b) for s in plan.sessions for b in request.busy)
    assert overlapping == 0
    assert plans >= 40  # the timetables leave room: most requests get a plan
