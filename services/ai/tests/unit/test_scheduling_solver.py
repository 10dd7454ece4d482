"""The local CP-SAT solver: valid, deterministic plans, reschedules, and clear refusals."""

import asyncio
from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from ai.scheduling import NoFeasiblePlan, Schedule, score, solve, validate
from ai.scheduling import solver as solver_module
from ai.scheduling.quality import TERMS

from .plan_requests import (
    BERLIN_FALL_BACK_MONDAY,
    BERLIN_SPRING_FORWARD_MONDAY,
    LOS_ANGELES_FALL_BACK_MONDAY,
    MONDAY,
    every_day,
    kept,
    local,
    plan_request,
    planned,
    subject,
    window,
)

BERLIN = ZoneInfo("Europe/Berlin")
TUESDAY = MONDAY + timedelta(days=1)
WEDNESDAY = MONDAY + timedelta(days=2)
CALCULUS = subject("Calculus", exam_date=MONDAY + timedelta(days=4), difficulty=5)
HISTORY = subject("History", difficulty=2)
BIOLOGY = subject("Biology", target=100)


def valid_schedule(request) -> Schedule:
    schedule = solve(request)
    assert validate(request, schedule.sessions) == []
    return schedule


def minutes(session) -> int:
    return int((session.ends_at - session.starts_at).total_seconds() // 60)


def by_local_day(sessions, zone=BERLIN) -> Counter:
    days: Counter = Counter()
    for session in sessions:
        days[session.starts_at.astimezone(zone).date()] += minutes(session)
    return days


@pytest.mark.parametrize(
    ("timezone", "week_start"),
    [
        ("Europe/Berlin", MONDAY),
        ("Europe/Berlin", BERLIN_FALL_BACK_MONDAY),
        ("Europe/Berlin", BERLIN_SPRING_FORWARD_MONDAY),
        ("America/Los_Angeles", LOS_ANGELES_FALL_BACK_MONDAY),
        ("Pacific/Kiritimati", MONDAY),
        ("Asia/Kathmandu", MONDAY),
    ],
)
def test_every_plan_passes_the_validator(timezone, week_start):
    request = plan_request(
        timezone=timezone,
        week_start=week_start,
        subjects=(
            subject("Calculus", exam_date=week_start + timedelta(days=3), difficulty=5),
            HISTORY,
            BIOLOGY,
        ),
        availability=(*every_day("18:10", "21:00"), window(6, "00:00", "24:00")),
    )
    schedule = valid_schedule(request)
    assert schedule.sessions
    assert all(session.rationale for session in schedule.sessions)


def test_sessions_have_the_preferred_length_and_the_subjects_names():
    request = plan_request(subjects=(CALCULUS, HISTORY, BIOLOGY))
    schedule = valid_schedule(request)
    assert {minutes(session) for session in schedule.sessions} == {50}
    names = {s.subject_id: s.name for s in request.subjects}
    assert all(session.title == names[session.subject_id] for session in schedule.sessions)
    starts = [session.starts_at for session in schedule.sessions]
    assert starts == sorted(starts)


def test_the_same_request_gives_the_same_plan():
    request = plan_request(subjects=(CALCULUS, HISTORY, BIOLOGY))
    first, second = solve(request), solve(request)
    assert first.sessions == second.sessions
    assert {k: v for k, v in first.quality.items() if k != "solver_ms"} == {
        k: v for k, v in second.quality.items() if k != "solver_ms"
    }


def test_quality_reports_each_objective_term_and_each_score_by_name():
    request = plan_request(subjects=(CALCULUS, HISTORY, BIOLOGY))
    schedule = solve(request)
    quality = schedule.quality
    assert quality["status"] == "optimal"
    assert set(quality["objective_terms"]) == {
        "urgency",
        "makeup",
        "fairness",
        "fill",
        "over_target",
        "spacing",
        "interleaving",
        "daily_load",
        "review",
        "time_of_day",
        "stability",
        "tidy",
    }
    assert quality["objective"] == sum(quality["objective_terms"].values())
    assert set(quality["weights"]) >= set(quality["objective_terms"]) - {"urgency"}
    assert quality["terms"] == score(request, schedule.sessions)
    assert set(quality["terms"]) == set(TERMS)
    assert quality["planned_minutes"] == sum(quality["minutes_by_subject"].values())
    assert quality["provider"] == "local"
    assert quality["solver_ms"] >= 0


def test_a_window_shorter_than_a_session_gets_a_shorter_session():
    request = plan_request(availability=every_day("18:00", "18:30"))
    schedule = valid_schedule(request)
    assert len(schedule.sessions) == 7
    assert {minutes(session) for session in schedule.sessions} == {30}


def test_a_daily_goal_below_the_session_length_shortens_the_sessions():
    request = plan_request(daily_goal_minutes=30)
    schedule = valid_schedule(request)
    assert {minutes(session) for session in schedule.sessions} == {30}
    assert set(by_local_day(schedule.sessions).values()) == {30}


def test_each_day_stays_within_the_daily_goal():
    request = plan_request(availability=every_day("08:00", "22:00"), daily_goal_minutes=100)
    schedule = valid_schedule(request)
    assert set(by_local_day(schedule.sessions).values()) == {100}  # two 50-minute sessions


def test_nothing_is_planned_for_a_subject_from_its_exam_date_on():
    exam_wednesday = subject("Calculus", exam_date=WEDNESDAY, difficulty=5)
    request = plan_request(subjects=(exam_wednesday, HISTORY))
    schedule = valid_schedule(request)
    calculus = [s for s in schedule.sessions if s.subject_id == exam_wednesday.subject_id]
    assert calculus  # the nearest exam gets the time before it
    assert all(s.ends_at <= local(WEDNESDAY, "00:00") for s in calculus)
    assert calculus[0].rationale == "Calculus exam in 2 days"


def test_a_near_exam_and_difficulty_draw_the_most_time():
    request = plan_request(
        subjects=(CALCULUS, HISTORY, subject("Art", difficulty=1)),
        availability=every_day("17:00", "21:00"),
    )
    schedule = valid_schedule(request)
    by_subject = schedule.quality["minutes_by_subject"]
    assert by_subject[str(CALCULUS.subject_id)] == max(by_subject.values())


def test_a_weekly_target_is_met_without_running_far_past_it():
    request = plan_request(subjects=(HISTORY, BIOLOGY), availability=every_day("17:00", "21:00"))
    schedule = valid_schedule(request)
    assert schedule.quality["minutes_by_subject"][str(BIOLOGY.subject_id)] == 100


@pytest.mark.parametrize(("preferred", "hour"), [("morning", 8), ("evening", 18)])
def test_sessions_go_to_the_preferred_time_of_day(preferred, hour):
    request = plan_request(
        availability=(*every_day("08:00", "09:00"), *every_day("18:00", "19:00")),
        daily_goal_minutes=60,
        preferred_time_of_day=preferred,
    )
    schedule = valid_schedule(request)
    assert {s.starts_at.astimezone(BERLIN).hour for s in schedule.sessions} == {hour}


def test_a_subject_is_spread_over_the_days():
    request = plan_request(subjects=(HISTORY,), availability=every_day("16:00", "22:00"))
    schedule = valid_schedule(request)
    assert len(by_local_day(schedule.sessions)) == 7


def test_a_reschedule_keeps_kept_sessions_time_free_and_starts_after_not_before():
    keep = (
        kept(HISTORY, local(WEDNESDAY, "18:00"), local(WEDNESDAY, "18:50")),
        kept(CALCULUS, local(WEDNESDAY, "19:30"), local(WEDNESDAY, "20:00"), "in_progress"),
    )
    not_before = local(TUESDAY, "19:07")
    request = plan_request(
        kind="reschedule",
        subjects=(CALCULUS, HISTORY),
        keep_sessions=keep,
        not_before=not_before,
        daily_goal_minutes=180,
    )
    schedule = valid_schedule(request)
    assert all(session.starts_at >= not_before for session in schedule.sessions)
    assert schedule.sessions[0].starts_at == local(TUESDAY, "19:10")  # the next 5-minute mark
    wednesday = [s for s in schedule.sessions if s.starts_at.astimezone(BERLIN).date() == WEDNESDAY]
    for session in wednesday:
        for keep_session in keep:
            gap = max(session.starts_at, keep_session.starts_at) - min(
                session.ends_at, keep_session.ends_at
            )
            assert gap >= timedelta(minutes=10)


def test_a_reschedule_keeps_the_previous_times_that_are_still_possible():
    geography = subject("Geography", difficulty=2)
    previous = (
        kept(HISTORY, local(WEDNESDAY, "19:20"), local(WEDNESDAY, "20:10"), "planned"),
        kept(geography, local(MONDAY, "18:00"), local(MONDAY, "18:50"), "planned"),
        kept(geography, local(TUESDAY, "18:10"), local(TUESDAY, "19:00"), "skipped"),
    )
    request = plan_request(
        kind="reschedule",
        subjects=(geography, HISTORY),
        previous_sessions=previous,
        not_before=local(TUESDAY, "12:00"),
    )
    schedule = valid_schedule(request)
    again = [s for s in schedule.sessions if s.rationale == "Same time as in the previous plan"]
    assert [(s.subject_id, s.starts_at, s.ends_at) for s in again] == [
        (HISTORY.subject_id, local(WEDNESDAY, "19:20"), local(WEDNESDAY, "20:10"))
    ]


def test_a_reschedule_whose_kept_sessions_fill_the_targets_may_plan_nothing_new():
    only_target = subject("Biology", target=50)
    keep = (kept(only_target, local(MONDAY, "18:00"), local(MONDAY, "18:50")),)
    request = plan_request(
        kind="reschedule",
        subjects=(only_target,),
        keep_sessions=keep,
        not_before=local(MONDAY, "19:00"),
    )
    assert solve(request).sessions == ()
    with pytest.raises(NoFeasiblePlan) as refused:
        solve(request.model_copy(update={"kind": "generate", "not_before": None}))
    assert refused.value.code == "nothing_to_plan"


@pytest.mark.parametrize(
    "request_",
    [
        plan_request(kind="reschedule", not_before=local(MONDAY + timedelta(days=6), "21:00")),
        plan_request(availability=(window(0, "21:00", "18:00"),)),
        plan_request(
            availability=(window(0, "18:00", "19:00"),),
            keep_sessions=(kept(HISTORY, local(MONDAY, "18:20"), local(MONDAY, "18:40")),),
        ),
        plan_request(
            availability=(window(0, "18:00", "19:00"),),
            keep_sessions=(kept(HISTORY, local(MONDAY, "08:00"), local(MONDAY, "10:00")),),
        ),
        plan_request(
            subjects=(subject("Calculus", exam_date=TUESDAY),),
            availability=(window(3, "18:00", "21:00"),),
        ),
    ],
    ids=[
        "not-before-after-the-last-window",
        "only-empty-windows",
        "kept-session-fills-the-window",
        "kept-session-uses-the-daily-goal",
        "availability-only-after-the-exam",
    ],
)
def test_no_available_time_is_refused_with_its_code(request_):
    with pytest.raises(NoFeasiblePlan) as refused:
        solve(request_)
    assert refused.value.code == "no_available_time"
    assert refused.value.message


@pytest.mark.parametrize(
    "subjects",
    [(), (subject("Calculus", exam_date=MONDAY - timedelta(days=1)), subject("Art", target=0))],
    ids=["none", "all-exams-passed"],
)
def test_no_subject_left_to_study_is_refused_with_its_code(subjects):
    with pytest.raises(NoFeasiblePlan) as refused:
        solve(plan_request(subjects=subjects))
    assert refused.value.code == "no_subjects"


def test_the_greedy_fallback_still_keeps_every_hard_constraint(monkeypatch):
    monkeypatch.setattr(solver_module, "DETERMINISTIC_TIME_LIMIT", 1e-9)
    request = plan_request(
        subjects=(CALCULUS, HISTORY, BIOLOGY),
        availability=every_day("08:00", "22:00"),
        daily_goal_minutes=240,
    )
    schedule = valid_schedule(request)
    assert schedule.quality["status"] == "greedy"
    assert schedule.sessions


async def test_the_solver_runs_in_a_worker_thread():
    request = plan_request()
    schedule = await asyncio.to_thread(solve, request)
    assert schedule.sessions == solve(request).sessions


def test_a_plan_breaking_a_rule_is_caught_by_the_same_validator():
    request = plan_request()
    schedule = solve(request)
    first = schedule.sessions[0]
    overlapping = planned(HISTORY, first.starts_at, first.ends_at)
    assert [v.code for v in validate(request, [*schedule.sessions, overlapping])][:1] == ["overlap"]


def test_a_plan_never_holds_more_than_200_sessions():
    request = plan_request(
        subjects=(HISTORY,),
        availability=every_day("00:00", "24:00"),
        daily_goal_minutes=720,
        session_minutes=15,
        break_minutes=0,
    )
    schedule = valid_schedule(request)
    assert len(schedule.sessions) == 200


def test_a_session_title_is_its_subject_name_within_the_planner_s_200_characters():
    long_name, blank = subject("x" * 250), subject(" ")
    schedule = valid_schedule(plan_request(subjects=(long_name, blank)))
    titles = {session.subject_id: session.title for session in schedule.sessions}
    assert titles == {long_name.subject_id: "x" * 200, blank.subject_id: "Study session"}
