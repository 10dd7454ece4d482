"""Feedback on the last plan applied to the next: each kind of structured wish (the app's chips)
moves a rescheduled plan the asked way, measured on the plan against the plan it replaces; a low
rating does not undo a wish; a wish that cannot be met is reported, and the plan still comes."""

import uuid
from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from ai.scheduling import solve, validate
from ai.scheduling.feedback import adjustments
from ai.scheduling.validator import FEEDBACK_BLOCKED_TIME, FEEDBACK_FREE_DAY
from schediora_contracts.common import FeedbackAdjustments, FeedbackSnapshot, SessionSnapshot

from .plan_requests import MONDAY, every_day, local, plan_request, planned, subject, wall_minutes

BERLIN = ZoneInfo("Europe/Berlin")
CALCULUS = subject("Calculus", difficulty=4)
HISTORY = subject("History")
BIOLOGY = subject("Biology")
SUBJECTS = (CALCULUS, HISTORY, BIOLOGY)
WEDNESDAY = MONDAY + timedelta(days=2)
SETTINGS = {
    "subjects": SUBJECTS,
    "availability": every_day("07:00", "22:00"),
    "daily_goal_minutes": 150,
    "session_minutes": 50,
    "preferred_time_of_day": "any",
}


def previous_plan(**overrides) -> tuple[SessionSnapshot, ...]:
    """The week's plan as the solver made it, as the planner sends it back on Wednesday: the
    sessions of Monday and Tuesday done, the others planned."""
    made = solve(plan_request(**(SETTINGS | overrides))).sessions
    return tuple(
        SessionSnapshot(
            session_id=uuid.uuid5(uuid.NAMESPACE_URL, f"s{i}"),
            subject_id=s.subject_id,
            title=s.title,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            status="completed" if s.ends_at <= local(WEDNESDAY, "00:00") else "planned",
        )
        for i, s in enumerate(made)
    )


def reschedule(chips=None, rating=3, comments=None, **overrides):
    """A reschedule from Wednesday of the week's plan with this feedback."""
    values = SETTINGS | overrides
    previous = previous_plan(**overrides)
    return plan_request(
        kind="reschedule",
        not_before=local(WEDNESDAY, "00:00"),
        previous_sessions=previous,
        keep_sessions=tuple(s for s in previous if s.status == "completed"),
        feedback=FeedbackSnapshot(
            rating=rating,
            comments=comments,
            adjustments=FeedbackAdjustments(**chips) if chips is not None else None,
        ),
        **values,
    )


def before_and_after(request):
    """The replaced plan's sessions from `not_before` on, and the valid new plan."""
    schedule = solve(request)
    assert validate(request, schedule.sessions) == []
    assert schedule.sessions
    before = [s for s in request.previous_sessions if s.starts_at >= request.not_before]
    return before, schedule


def minutes(session) -> int:
    return int((session.ends_at - session.starts_at).total_seconds() // 60)


def total(sessions) -> int:
    return sum(map(minutes, sessions))


def of(subject_, sessions) -> int:
    return sum(minutes(s) for s in sessions if s.subject_id == subject_.subject_id)


def busiest_day(sessions) -> int:
    days: Counter = Counter()
    for session in sessions:
        days[session.starts_at.astimezone(BERLIN).date()] += minutes(session)
    return max(days.values())


def mean_length(sessions) -> float:
    return total(sessions) / len(sessions)


def share(sessions, start, end) -> float:
    return wall_minutes(sessions, start, end) / total(sessions)


def weekday_minutes(sessions, weekdays) -> int:
    return sum(minutes(s) for s in sessions if s.starts_at.astimezone(BERLIN).weekday() in weekdays)


@pytest.mark.parametrize("rating", [3, 2])
def test_more_of_a_subject_gives_it_more_minutes(rating):
    before, after = before_and_after(reschedule({"more": [HISTORY.subject_id]}, rating))
    assert of(HISTORY, after.sessions) > of(HISTORY, before)
    assert "more History" in after.quality["feedback"]["applied"]


@pytest.mark.parametrize("rating", [3, 2])
def test_less_of_a_subject_gives_it_fewer_minutes(rating):
    before, after = before_and_after(reschedule({"less": [CALCULUS.subject_id]}, rating))
    assert of(CALCULUS, after.sessions) < of(CALCULUS, before)


def test_an_avoided_period_has_no_minute_left():
    before, after = before_and_after(reschedule({"avoid_periods": ["morning"]}))
    assert wall_minutes(before, "05:00", "12:00") > 0
    assert wall_minutes(after.sessions, "05:00", "12:00") == 0
    assert after.quality["feedback"]["applied"] == ["avoid morning"]


@pytest.mark.parametrize("rating", [3, 2, 1])
def test_a_preferred_period_gets_a_bigger_share_even_with_a_low_rating(rating):
    before, after = before_and_after(reschedule({"prefer_period": "evening"}, rating))
    assert share(after.sessions, "17:00", "23:00") > share(before, "17:00", "23:00")


def test_free_days_have_no_session():
    before, after = before_and_after(reschedule({"free_days": [5, 6]}))
    assert weekday_minutes(before, {5, 6}) > 0
    assert weekday_minutes(after.sessions, {5, 6}) == 0
    assert after.quality["feedback"]["applied"] == ["free Saturday", "free Sunday"]


@pytest.mark.parametrize("rating", [3, 2])
def test_shorter_sessions_are_shorter(rating):
    before, after = before_and_after(reschedule({"session_length": "shorter"}, rating))
    assert mean_length(after.sessions) < mean_length(before)


@pytest.mark.parametrize("rating", [3, 2])
def test_longer_sessions_are_longer_even_with_a_low_rating(rating):
    before, after = before_and_after(reschedule({"session_length": "longer"}, rating))
    assert mean_length(after.sessions) > mean_length(before)


def test_a_lighter_load_lowers_the_busiest_day():
    before, after = before_and_after(reschedule({"daily_load": "lighter"}))
    assert busiest_day(after.sessions) < busiest_day(before)
    assert after.quality["feedback"]["applied"] == ["daily_load lighter"]


def test_a_heavier_load_plans_more_when_the_daily_goal_has_room():
    targeted = tuple(subject(s.name, difficulty=s.difficulty, target=120) for s in SUBJECTS)
    before, after = before_and_after(
        reschedule({"daily_load": "heavier"}, 2, subjects=targeted, daily_goal_minutes=240)
    )
    assert total(after.sessions) > total(before)
    assert after.quality["feedback"]["applied"] == ["daily_load heavier"]


def test_a_heavier_load_with_the_daily_goal_full_is_reported_not_met():
    _, after = before_and_after(reschedule({"daily_load": "heavier"}))
    assert after.quality["feedback"]["not_met"] == [
        "daily_load heavier (the plan could not move that way)"
    ]


def test_not_before_and_not_after_bound_every_session():
    before, after = before_and_after(reschedule({"not_before": "10:00", "not_after": "20:00"}))
    assert wall_minutes(before, "00:00", "10:00") + wall_minutes(before, "20:00", "24:00") > 0
    assert wall_minutes(after.sessions, "00:00", "10:00") == 0
    assert wall_minutes(after.sessions, "20:00", "24:00") == 0


@pytest.mark.parametrize("rating", [1, 2])
def test_a_low_rating_alone_lightens_the_busiest_day(rating):
    before, after = before_and_after(reschedule(None, rating))
    assert busiest_day(after.sessions) < busiest_day(before)
    assert after.quality["feedback"]["applied"] == [f"daily_load lighter (rating {rating})"]


def test_the_report_is_the_feedback_report():
    _, after = before_and_after(
        reschedule({"more": [CALCULUS.subject_id], "avoid_periods": ["evening"]}, 2)
    )
    assert after.quality["feedback"] == {
        "understood": {
            "more": [str(CALCULUS.subject_id)],
            "less": [],
            "avoid_periods": ["evening"],
            "prefer_period": None,
            "free_days": [],
            "session_length": None,
            "daily_load": None,
            "not_before": None,
            "not_after": None,
        },
        "applied": ["avoid evening", "more Calculus", "daily_load lighter (rating 2)"],
        "not_met": [],
        "not_understood": [],
    }


def test_a_wish_that_leaves_no_time_is_not_met_and_the_plan_still_comes():
    request = reschedule(
        {"avoid_periods": ["evening"], "free_days": [2]},
        availability=every_day("18:00", "22:00"),
    )
    _, after = before_and_after(request)
    report = after.quality["feedback"]
    assert report["applied"] == ["free Wednesday"]
    assert report["not_met"] == ["avoid evening (it would leave no free time this week)"]
    assert weekday_minutes(after.sessions, {2}) == 0


def test_every_day_made_free_is_not_met_for_the_last_day_that_would_leave_none():
    request = reschedule({"free_days": [0, 1, 2, 3, 4, 5, 6]})
    _, after = before_and_after(request)
    assert after.quality["feedback"]["not_met"] == [
        "free Sunday (it would leave no free time this week)"
    ]
    assert {s.starts_at.astimezone(BERLIN).weekday() for s in after.sessions} == {6}


def test_preferring_a_period_without_any_window_in_it_is_not_met():
    request = reschedule({"prefer_period": "evening"}, availability=every_day("08:00", "12:00"))
    _, after = before_and_after(request)
    assert after.quality["feedback"]["not_met"] == [
        "prefer evening (no evening time in the availability)"
    ]


def test_the_validator_holds_a_plan_to_the_hard_wishes():
    request = reschedule({"free_days": [2], "avoid_periods": ["morning"], "not_after": "20:00"})
    sessions = [
        planned(HISTORY, local(WEDNESDAY, "13:00"), local(WEDNESDAY, "13:50")),
        planned(
            HISTORY,
            local(WEDNESDAY + timedelta(days=1), "11:30"),
            local(WEDNESDAY + timedelta(days=1), "12:20"),
        ),
        planned(
            HISTORY,
            local(WEDNESDAY + timedelta(days=2), "19:30"),
            local(WEDNESDAY + timedelta(days=2), "20:20"),
        ),
        planned(
            HISTORY,
            local(WEDNESDAY + timedelta(days=3), "14:00"),
            local(WEDNESDAY + timedelta(days=3), "14:50"),
        ),
    ]
    found = [(v.code, v.session_index) for v in validate(request, sessions)]
    assert found == [
        (FEEDBACK_FREE_DAY, 0),
        (FEEDBACK_BLOCKED_TIME, 1),
        (FEEDBACK_BLOCKED_TIME, 2),
    ]


def test_a_hard_wish_set_aside_is_not_checked():
    request = reschedule({"avoid_periods": ["evening"]}, availability=every_day("18:00", "22:00"))
    evening = [planned(HISTORY, local(WEDNESDAY, "18:00"), local(WEDNESDAY, "18:50"))]
    assert validate(request, evening) == []


def test_chips_win_over_the_comment_where_they_disagree():
    request = reschedule({"more": [CALCULUS.subject_id], "session_length": "longer"})
    found = adjustments(request)
    assert found.wishes.more == (CALCULUS.subject_id,)
    assert found.wishes.session_length == "longer"


def test_without_feedback_nothing_changes_and_nothing_is_reported():
    request = reschedule().model_copy(update={"feedback": None})
    assert adjustments(request).applied == ()
    assert "feedback" not in solve(request).quality
