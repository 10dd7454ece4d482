"""The plan-quality scores (one function for any plan), the needs behind them, and the shortfall
a week too short for them reports."""

from datetime import timedelta

import pytest

from ai.scheduling import score, solve, validate
from ai.scheduling.needs import fair_shares, levels, weekly_need
from ai.scheduling.quality import TERMS
from ai.scheduling.solver import baseline

from .plan_requests import MONDAY, every_day, kept, local, plan_request, planned, subject, window

TUESDAY = MONDAY + timedelta(days=1)
WEDNESDAY = MONDAY + timedelta(days=2)
THURSDAY = MONDAY + timedelta(days=3)
CALCULUS = subject("Calculus")
HISTORY = subject("History")


def at(of, day, start: str, end: str):
    return planned(of, local(day, start), local(day, end))


@pytest.mark.parametrize(
    ("difficulty", "exam_in_days", "target", "factor", "need"),
    [
        (3, None, None, 1.0, 120),
        (1, None, None, 1.0, 60),
        (5, None, None, 1.0, 180),
        (5, 1, None, 1.0, 350),  # 180 x (1 + 20/21), to 5 minutes
        (3, 21, None, 1.0, 120),
        (3, None, 90, 1.0, 90),
        (3, None, None, 1.5, 180),
        (3, None, 200, 0.5, 100),
    ],
)
def test_the_weekly_need_is_the_target_or_follows_difficulty_and_exam(
    difficulty, exam_in_days, target, factor, need
):
    exam = MONDAY + timedelta(days=exam_in_days) if exam_in_days else None
    studied = subject("Chemistry", difficulty=difficulty, exam_date=exam, target=target)
    assert weekly_need(studied, MONDAY, factor) == need


def test_fair_shares_share_a_tight_week_in_proportion_to_the_needs():
    assert fair_shares([100, 300], [True, True], [1000, 1000], 100) == [25, 75]


def test_fair_shares_give_what_the_targets_leave_to_the_subjects_without_one():
    shares = fair_shares([100, 100, 200], [True, False, False], [1000, 1000, 1000], 600)
    assert shares == [100, 166, 333]


def test_a_fair_share_never_passes_the_room_before_the_exam():
    assert fair_shares([300, 300], [False, False], [50, 1000], 400) == [50, 350]


def test_levels_spread_a_total_evenly_over_the_days_room():
    assert levels(100, [10, 100, 100]) == [10, 45, 45]


def test_interleaving_counts_repeats_beyond_what_the_subjects_counts_force():
    request = plan_request(subjects=(CALCULUS, HISTORY), daily_goal_minutes=180)
    massed = [
        at(CALCULUS, MONDAY, "18:00", "18:50"),
        at(CALCULUS, MONDAY, "19:00", "19:50"),
        at(HISTORY, MONDAY, "20:00", "20:50"),
    ]
    mixed = [
        massed[0],
        at(HISTORY, MONDAY, "19:00", "19:50"),
        at(CALCULUS, MONDAY, "20:00", "20:50"),
    ]
    assert score(request, massed)["interleaving"] == 0.5
    assert score(request, mixed)["interleaving"] == 1.0
    only_one = [at(CALCULUS, MONDAY, "18:00", "18:50"), at(CALCULUS, TUESDAY, "18:00", "18:50")]
    assert score(request, only_one)["interleaving"] == 1.0  # nothing else to put between


def test_spacing_prefers_a_subject_on_different_days():
    request = plan_request(subjects=(HISTORY,))
    same_day = [at(HISTORY, MONDAY, "18:00", "18:50"), at(HISTORY, MONDAY, "19:00", "19:50")]
    two_days = [at(HISTORY, MONDAY, "18:00", "18:50"), at(HISTORY, TUESDAY, "18:00", "18:50")]
    assert score(request, same_day)["spacing"] == 0.5
    assert score(request, two_days)["spacing"] == 1.0


def test_daily_load_prefers_even_days():
    request = plan_request(subjects=(HISTORY,))
    lumped = [at(HISTORY, MONDAY, "18:00", "18:50"), at(HISTORY, MONDAY, "19:00", "19:50")]
    split = [at(HISTORY, MONDAY, "18:00", "18:50"), at(HISTORY, TUESDAY, "18:00", "18:50")]
    daily = [at(HISTORY, MONDAY + timedelta(days=d), "18:00", "18:50") for d in range(7)]
    assert score(request, lumped)["daily_load"] < score(request, split)["daily_load"]
    assert score(request, daily)["daily_load"] == 1.0


def test_review_wants_a_session_in_the_two_days_before_each_exam():
    exam = subject("Calculus", exam_date=THURSDAY)
    request = plan_request(subjects=(exam, HISTORY))
    assert score(request, [at(exam, WEDNESDAY, "18:00", "18:50")])["review"] == 1.0
    assert score(request, [at(exam, TUESDAY, "18:00", "18:50")])["review"] == 1.0
    assert score(request, [at(exam, MONDAY, "18:00", "18:50")])["review"] == 0.0
    done = kept(exam, local(WEDNESDAY, "18:00"), local(WEDNESDAY, "18:50"))
    reviewed = request.model_copy(update={"keep_sessions": (done,)})
    assert score(reviewed, [])["review"] == 1.0


def test_time_of_day_is_the_share_of_minutes_in_the_preferred_part():
    both = (*every_day("08:00", "09:00"), *every_day("18:00", "19:00"))
    evening = plan_request(availability=both, preferred_time_of_day="evening")
    sessions = [at(HISTORY, MONDAY, "08:00", "08:50"), at(HISTORY, TUESDAY, "18:00", "18:50")]
    assert score(evening, sessions)["time_of_day"] == 0.5
    anytime = evening.model_copy(
        update={
            "preferences": evening.preferences.model_copy(update={"preferred_time_of_day": "any"})
        }
    )
    assert score(anytime, sessions)["time_of_day"] == 1.0


def test_stability_is_the_share_of_still_possible_previous_sessions_kept():
    previous = (kept(HISTORY, local(WEDNESDAY, "19:20"), local(WEDNESDAY, "20:10"), "planned"),)
    request = plan_request(
        kind="reschedule", previous_sessions=previous, not_before=local(TUESDAY, "00:00")
    )
    same = [at(HISTORY, WEDNESDAY, "19:20", "20:10")]
    moved = [at(HISTORY, WEDNESDAY, "18:00", "18:50")]
    assert score(request, same)["stability"] == 1.0
    assert score(request, moved)["stability"] == 0.0
    assert score(plan_request(), moved)["stability"] == 1.0  # nothing to keep


def test_urgency_weighs_the_minutes_by_how_pressing_their_need_is():
    exam = subject("Calculus", exam_date=TUESDAY, difficulty=5)
    request = plan_request(subjects=(exam, HISTORY), availability=(window(0, "18:00", "19:00"),))
    to_exam = score(request, [at(exam, MONDAY, "18:00", "18:50")])
    to_history = score(request, [at(HISTORY, MONDAY, "18:00", "18:50")])
    assert to_exam["urgency"] > to_history["urgency"]


def test_an_empty_plan_meets_no_need_and_a_request_with_nothing_to_plan_scores_1():
    empty = score(plan_request(), [])
    assert empty["urgency"] == empty["fairness"] == 0.0
    assert set(empty) == set(TERMS)
    nothing = score(plan_request(subjects=()), [])
    assert set(nothing.values()) == {1.0}


def test_every_score_lies_between_0_and_1():
    request = plan_request(subjects=(subject("Calculus", exam_date=THURSDAY), HISTORY))
    for plan in (solve(request), baseline(request)):
        assert all(0.0 <= value <= 1.0 for value in score(request, plan.sessions).values())


def test_a_week_too_short_for_the_needs_says_so_per_subject():
    exam = subject("Calculus", exam_date=THURSDAY, difficulty=5, target=300)
    request = plan_request(
        subjects=(exam, subject("History", target=100)),
        availability=(window(0, "18:00", "19:00"), window(1, "18:00", "19:00")),
    )
    schedule = solve(request)
    assert validate(request, schedule.sessions) == []
    quality = schedule.quality
    assert quality["need"] == {str(exam.subject_id): 300, str(request.subjects[1].subject_id): 100}
    planned_minutes = quality["minutes_by_subject"]
    assert quality["shortfall"] == {
        key: need - planned_minutes.get(key, 0) for key, need in quality["need"].items()
    }
    assert sum(quality["shortfall"].values()) == 400 - 100


def test_a_week_with_room_for_every_need_has_no_shortfall():
    request = plan_request(subjects=(subject("Calculus", target=100), subject("Art", target=50)))
    assert solve(request).quality["shortfall"] == {}


def test_the_solver_orders_a_day_s_subjects_against_runs():
    request = plan_request(
        subjects=(subject("Calculus", target=400), subject("Art", target=400)),
        availability=every_day("16:00", "22:00"),
        daily_goal_minutes=200,
    )
    schedule = solve(request)
    assert score(request, schedule.sessions)["interleaving"] == 1.0


def test_the_greedy_baseline_is_scored_by_the_same_function():
    request = plan_request(subjects=(subject("Calculus", exam_date=THURSDAY), HISTORY))
    plan = baseline(request)
    assert validate(request, plan.sessions) == []
    assert plan.quality["terms"] == score(request, plan.sessions)
    assert plan.quality["status"] == "greedy"
