"""Feedback on the last plan: each documented comment pattern parsed into its adjustment, and a
rescheduled plan that moves in the asked direction while passing the validator."""

from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from ai.scheduling import solve, validate
from ai.scheduling.feedback import adjustments
from schediora_contracts.common import FeedbackSnapshot

from .plan_requests import (
    MONDAY,
    every_day,
    kept,
    local,
    plan_request,
    subject,
    wall_minutes,
)

BERLIN = ZoneInfo("Europe/Berlin")
CALCULUS = subject("Calculus", difficulty=4)
HISTORY = subject("History")
BIOLOGY = subject("Biology")
LINEAR_ALGEBRA = subject("Linear Algebra")
SUBJECTS = (CALCULUS, HISTORY, BIOLOGY)


def reschedule(comments: str | None = None, rating: int = 3, **overrides):
    """A reschedule of the whole week with this feedback (rating 3 and no comment: neutral)."""
    values = {
        "subjects": SUBJECTS,
        "availability": every_day("06:00", "23:00"),
        "daily_goal_minutes": 150,
        "preferred_time_of_day": "any",
    } | overrides
    return plan_request(
        kind="reschedule",
        not_before=local(MONDAY, "00:00"),
        feedback=FeedbackSnapshot(rating=rating, comments=comments),
        **values,
    )


def valid_sessions(request):
    schedule = solve(request)
    assert validate(request, schedule.sessions) == []
    assert schedule.sessions
    return schedule


def minutes(session) -> int:
    return int((session.ends_at - session.starts_at).total_seconds() // 60)


def busiest_day(sessions) -> int:
    days: Counter = Counter()
    for session in sessions:
        days[session.starts_at.astimezone(BERLIN).date()] += minutes(session)
    return max(days.values())


def of(subject_, sessions) -> int:
    return sum(minutes(s) for s in sessions if s.subject_id == subject_.subject_id)


@pytest.mark.parametrize(
    ("rating", "comments", "applied"),
    [
        (2, None, ["daily_load -25%"]),
        (1, "fine", ["daily_load -25%"]),
        (3, "way too much", ["daily_load -25%"]),
        (4, "Too many sessions, I was exhausted", ["daily_load -25%"]),
        (3, "No mornings please", ["no morning"]),
        (3, "no more mornings", ["no morning"]),
        (3, "not in the afternoon", ["no afternoon"]),
        (3, "avoid evenings", ["no evening"]),
        (3, "evenings only", ["only evening"]),
        (3, "only in the morning", ["only morning"]),
        (3, "not after 9pm", ["not after 21:00"]),
        (3, "nothing after 21:30", ["not after 21:30"]),
        (3, "no later than 10 pm", ["not after 22:00"]),
        (3, "not after 9", ["not after 21:00"]),
        (3, "finish by 20", ["not after 20:00"]),
        (3, "not before 10am", ["not before 10:00"]),
        (3, "no earlier than 9", ["not before 09:00"]),
        (3, "start after noon", ["not before 12:00"]),
        (3, "no weekends", ["no weekend"]),
        (3, "weekdays only", ["no weekend"]),
        (3, "I'd prefer mornings", ["prefer morning"]),
        (3, "more evenings", ["prefer evening"]),
        (3, "more calculus", ["more Calculus"]),
        (3, "more time on Calculus!", ["more Calculus"]),
        (3, "focus on calculus", ["more Calculus"]),
        (3, "less biology", ["less Biology"]),
        (3, "no more biology", ["less Biology"]),
        (3, "too much biology", ["less Biology"]),
        (3, "more linear", ["more Linear Algebra"]),
        (3, "sessions are too long", ["sessions -25%"]),
        (3, "shorter sessions", ["sessions -25%"]),
        (3, "too short", ["sessions +25%"]),
        (
            2,
            "no mornings, more calculus and less biology, too long",
            [
                "daily_load -25%",
                "no morning",
                "more Calculus",
                "less Biology",
                "sessions -25%",
            ],
        ),
        (5, "great plan", []),
        (4, None, []),
    ],
)
def test_each_comment_pattern_names_its_adjustment(rating, comments, applied):
    request = reschedule(comments, rating, subjects=(*SUBJECTS, LINEAR_ALGEBRA))
    assert list(adjustments(request).applied) == applied


def test_the_adjustments_are_concrete():
    found = adjustments(reschedule("no mornings, not after 9pm, too long, more calculus", 2))
    assert found.blocked == ((5 * 60, 12 * 60), (21 * 60, 24 * 60))
    assert found.daily_goal_minutes == 110  # 75 % of 150, rounded down to 5 minutes
    assert found.session_minutes == 40  # 75 % of 50, to 5 minutes
    assert found.shares == {CALCULUS.subject_id: 1.5}


def test_a_low_rating_lightens_the_heaviest_day_of_the_previous_plan():
    previous = (
        kept(HISTORY, local(MONDAY, "18:00"), local(MONDAY, "19:00"), "completed"),
        kept(HISTORY, local(MONDAY, "19:10"), local(MONDAY, "20:30"), "planned"),
    )
    found = adjustments(reschedule(None, 1, previous_sessions=previous))
    assert found.daily_goal_minutes == 105  # 75 % of the 140 minutes of that Monday


def test_without_feedback_nothing_changes_and_nothing_is_reported():
    request = reschedule().model_copy(update={"feedback": None})
    assert adjustments(request).applied == ()
    assert "feedback" not in solve(request).quality


def test_the_applied_adjustments_are_recorded_in_quality():
    quality = valid_sessions(reschedule("No mornings", 2)).quality
    assert quality["feedback"] == {"rating": 2, "applied": ["daily_load -25%", "no morning"]}


def test_no_mornings_leaves_no_morning_minutes():
    before = valid_sessions(reschedule(preferred_time_of_day="morning")).sessions
    after = valid_sessions(reschedule("no mornings", preferred_time_of_day="morning")).sessions
    assert wall_minutes(before, "05:00", "12:00") > 0
    assert wall_minutes(after, "05:00", "12:00") == 0


def test_evenings_only_keeps_every_session_in_the_evening():
    before = valid_sessions(reschedule()).sessions
    after = valid_sessions(reschedule("evenings only")).sessions
    assert wall_minutes(before, "00:00", "17:00") > 0
    assert wall_minutes(after, "00:00", "17:00") == wall_minutes(after, "23:00", "24:00") == 0


def test_not_after_9pm_ends_every_session_by_then():
    evenings = {"availability": every_day("18:00", "24:00"), "daily_goal_minutes": 240}
    before = valid_sessions(reschedule(**evenings)).sessions
    after = valid_sessions(reschedule("not after 9pm", **evenings)).sessions
    assert wall_minutes(before, "21:00", "24:00") > 0
    assert wall_minutes(after, "21:00", "24:00") == 0


def test_not_before_10am_starts_every_session_from_then():
    mornings = every_day("06:00", "14:00")
    before = valid_sessions(reschedule(availability=mornings)).sessions
    after = valid_sessions(reschedule("not before 10am", availability=mornings)).sessions
    assert wall_minutes(before, "00:00", "10:00") > 0
    assert wall_minutes(after, "00:00", "10:00") == 0


def test_no_weekends_plans_nothing_on_saturday_or_sunday():
    after = valid_sessions(reschedule("no weekends")).sessions
    assert {s.starts_at.astimezone(BERLIN).weekday() for s in after} <= {0, 1, 2, 3, 4}


def test_prefer_mornings_moves_time_to_the_morning():
    both = (*every_day("07:00", "09:00"), *every_day("18:00", "20:00"))
    request = {"availability": both, "preferred_time_of_day": "evening", "daily_goal_minutes": 60}
    before = valid_sessions(reschedule(**request)).sessions
    after = valid_sessions(reschedule("prefer mornings", **request)).sessions
    assert wall_minutes(after, "05:00", "12:00") > wall_minutes(before, "05:00", "12:00")


def test_more_calculus_gives_calculus_more_minutes():
    before = valid_sessions(reschedule()).sessions
    after = valid_sessions(reschedule("more calculus")).sessions
    assert of(CALCULUS, after) > of(CALCULUS, before)


def test_more_of_a_subject_with_a_target_raises_it():
    targeted = (subject("Calculus", target=200), HISTORY)
    before = valid_sessions(reschedule(subjects=targeted)).sessions
    after = valid_sessions(reschedule("more calculus please", subjects=targeted)).sessions
    assert of(targeted[0], after) > of(targeted[0], before)


def test_less_biology_gives_biology_fewer_minutes():
    before = valid_sessions(reschedule()).sessions
    after = valid_sessions(reschedule("less biology")).sessions
    assert of(BIOLOGY, after) < of(BIOLOGY, before)


def test_too_long_shortens_the_sessions():
    before = valid_sessions(reschedule()).sessions
    after = valid_sessions(reschedule("the sessions were too long")).sessions
    assert max(map(minutes, after)) < max(map(minutes, before))
    assert max(map(minutes, after)) == 40


def test_too_short_lengthens_the_sessions():
    before = valid_sessions(reschedule()).sessions
    after = valid_sessions(reschedule("too short")).sessions
    assert max(map(minutes, after)) > max(map(minutes, before))


@pytest.mark.parametrize(("rating", "comments"), [(1, None), (2, None), (4, "too much")])
def test_a_low_rating_or_too_much_lowers_the_busiest_day(rating, comments):
    before = valid_sessions(reschedule()).sessions
    after = valid_sessions(reschedule(comments, rating)).sessions
    assert busiest_day(after) < busiest_day(before)
    assert busiest_day(after) <= 150 * 0.75


def test_a_time_rule_that_would_leave_no_time_is_set_aside_and_said_so():
    request = reschedule("no mornings", availability=every_day("07:00", "10:00"))
    schedule = valid_sessions(request)
    assert schedule.quality["feedback"] == {
        "rating": 3,
        "applied": [],
        "not_applied": ["no morning"],
    }


def test_skipped_and_missed_sessions_are_placed_again_first():
    tuesday = MONDAY + timedelta(days=1)
    previous = (
        kept(BIOLOGY, local(MONDAY, "18:00"), local(MONDAY, "18:50"), "skipped"),
        kept(HISTORY, local(MONDAY, "19:00"), local(MONDAY, "19:50"), "planned"),
        kept(CALCULUS, local(MONDAY, "20:00"), local(MONDAY, "20:50"), "completed"),
    )
    exam_soon = subject("Calculus", exam_date=MONDAY + timedelta(days=3), difficulty=5)
    request = plan_request(
        kind="reschedule",
        subjects=(exam_soon, HISTORY, BIOLOGY, subject("Art", difficulty=5)),
        availability=every_day("18:00", "19:00"),
        daily_goal_minutes=50,
        previous_sessions=previous,
        keep_sessions=previous[2:],
        not_before=local(tuesday, "00:00"),
    )
    schedule = valid_sessions(request)
    assert of(BIOLOGY, schedule.sessions) >= 50
    assert of(HISTORY, schedule.sessions) >= 50
    makeup = schedule.quality["makeup"]
    assert makeup["missed_minutes"] == {
        str(HISTORY.subject_id): 50,
        str(BIOLOGY.subject_id): 50,
    }
    assert makeup["placed_minutes"] == makeup["missed_minutes"]
    reasons = [s.rationale for s in schedule.sessions if s.subject_id == BIOLOGY.subject_id]
    assert reasons[0] == "Makes up a missed Biology session"
