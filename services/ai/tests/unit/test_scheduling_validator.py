"""The hard-constraint validator: one test per rule and code, in the user's local time."""

from datetime import date, timedelta

import pytest

from ai.scheduling import Violation, validate

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

TUESDAY = MONDAY + timedelta(days=1)
THURSDAY = MONDAY + timedelta(days=3)
FRIDAY = MONDAY + timedelta(days=4)
CALCULUS = subject("Calculus", exam_date=FRIDAY)
HISTORY = subject("History")


def request(**overrides):
    return plan_request(subjects=(CALCULUS, HISTORY), **overrides)


def codes(violations: list[Violation]) -> list[tuple[str, int | None]]:
    return [(violation.code, violation.session_index) for violation in violations]


def test_a_plan_inside_the_windows_with_breaks_passes():
    sessions = [
        planned(CALCULUS, local(MONDAY, "18:00"), local(MONDAY, "18:50")),
        planned(HISTORY, local(MONDAY, "19:00"), local(MONDAY, "19:50")),
        planned(HISTORY, local(TUESDAY, "20:00"), local(TUESDAY, "21:00")),
    ]
    assert validate(request(), sessions) == []


def test_a_session_that_does_not_end_after_it_starts_is_reported_alone():
    session = planned(HISTORY, local(MONDAY, "19:00"), local(MONDAY, "19:00"))
    violations = validate(request(), [session])
    assert codes(violations) == [("end_not_after_start", 0)]
    assert "Mon 2026-11-23 19:00 CET" in violations[0].message


def test_sessions_last_at_least_15_minutes_and_at_most_8_hours():
    whole_days = request(availability=every_day("00:00", "24:00"), daily_goal_minutes=720)
    wednesday = MONDAY + timedelta(days=2)
    too_short = planned(HISTORY, local(MONDAY, "10:00"), local(MONDAY, "10:14"))
    too_long = planned(HISTORY, local(TUESDAY, "08:00"), local(TUESDAY, "16:01"))
    assert codes(validate(whole_days, [too_short, too_long])) == [
        ("too_short", 0),
        ("too_long", 1),
    ]
    at_the_limits = [
        planned(HISTORY, local(wednesday, "08:00"), local(wednesday, "08:15")),
        planned(HISTORY, local(THURSDAY, "08:00"), local(THURSDAY, "16:00")),
    ]
    assert validate(whole_days, at_the_limits) == []


@pytest.mark.parametrize(
    ("start", "end"),
    [("17:30", "18:20"), ("20:30", "21:20"), ("16:00", "17:00")],
    ids=["starts-before-the-window", "ends-after-the-window", "between-windows"],
)
def test_a_session_outside_the_windows_is_refused(start, end):
    session = planned(HISTORY, local(MONDAY, start), local(MONDAY, end))
    assert codes(validate(request(), [session])) == [("outside_availability", 0)]


def test_a_window_counts_only_on_its_own_weekday():
    tuesdays = request(availability=(window(1, "18:00", "21:00"),))
    on_monday = planned(HISTORY, local(MONDAY, "18:00"), local(MONDAY, "18:50"))
    on_tuesday = planned(HISTORY, local(TUESDAY, "18:00"), local(TUESDAY, "18:50"))
    assert codes(validate(tuesdays, [on_monday, on_tuesday])) == [("outside_availability", 0)]


def test_a_window_ending_at_24_00_runs_to_midnight_but_not_past_it():
    late = request(availability=every_day("22:00", "24:00"))
    to_midnight = planned(HISTORY, local(MONDAY, "23:00"), local(MONDAY, "24:00"))
    past_midnight = planned(HISTORY, local(TUESDAY, "23:30"), local(TUESDAY, "24:20"))
    assert codes(validate(late, [to_midnight, past_midnight])) == [("outside_availability", 1)]


def test_a_session_must_not_span_two_adjacent_windows():
    split = request(availability=(window(0, "18:00", "19:00"), window(0, "19:00", "21:00")))
    across = planned(HISTORY, local(MONDAY, "18:30"), local(MONDAY, "19:20"))
    assert codes(validate(split, [across])) == [("outside_availability", 0)]


def test_sessions_lie_inside_the_target_week():
    sunday_before = MONDAY - timedelta(days=1)
    monday_after = MONDAY + timedelta(days=7)
    sessions = [
        planned(HISTORY, local(sunday_before, "18:00"), local(sunday_before, "18:50")),
        planned(HISTORY, local(monday_after, "18:00"), local(monday_after, "18:50")),
    ]
    assert codes(validate(request(), sessions)) == [("outside_week", 0), ("outside_week", 1)]


def test_the_week_is_bounded_by_local_midnights_in_a_far_east_zone():
    zone = "Pacific/Kiritimati"  # UTC+14: the local week starts on Sunday 10:00 UTC
    whole_days = request(
        timezone=zone, availability=every_day("00:00", "24:00"), daily_goal_minutes=720
    )
    last_day = MONDAY + timedelta(days=6)
    first = planned(HISTORY, local(MONDAY, "00:00", zone), local(MONDAY, "00:50", zone))
    last = planned(HISTORY, local(last_day, "23:00", zone), local(last_day, "24:00", zone))
    assert first.starts_at.date() == date(2026, 11, 22)
    assert validate(whole_days, [first, last]) == []
    after = last_day + timedelta(days=1)
    too_late = planned(HISTORY, local(after, "00:00", zone), local(after, "00:50", zone))
    assert codes(validate(whole_days, [too_late])) == [("outside_week", 0)]


def test_a_reschedule_plans_nothing_before_not_before():
    later = request(kind="reschedule", not_before=local(TUESDAY, "18:30"))
    too_early = [
        planned(HISTORY, local(MONDAY, "18:00"), local(MONDAY, "18:50")),
        planned(HISTORY, local(TUESDAY, "18:00"), local(TUESDAY, "18:50")),
    ]
    assert codes(validate(later, too_early)) == [
        ("before_not_before", 0),
        ("before_not_before", 1),
    ]
    at_not_before = planned(HISTORY, local(TUESDAY, "18:30"), local(TUESDAY, "19:20"))
    assert validate(later, [at_not_before]) == []


def test_overlapping_sessions_are_refused_and_touching_ones_need_the_break():
    first = planned(HISTORY, local(MONDAY, "18:00"), local(MONDAY, "18:50"))
    overlapping = planned(CALCULUS, local(MONDAY, "18:30"), local(MONDAY, "19:20"))
    touching = planned(CALCULUS, local(MONDAY, "18:50"), local(MONDAY, "19:40"))
    assert codes(validate(request(), [first, overlapping])) == [("overlap", 1)]
    assert codes(validate(request(), [first, touching])) == [("break_too_short", 1)]
    assert validate(request(break_minutes=0), [first, touching]) == []


def test_kept_sessions_occupy_their_time_and_keep_their_break():
    keep = (kept(HISTORY, local(MONDAY, "18:00"), local(MONDAY, "18:50"), title="Essay"),)
    with_kept = request(kind="reschedule", keep_sessions=keep)
    over_it = planned(CALCULUS, local(MONDAY, "18:40"), local(MONDAY, "19:30"))
    too_close = planned(CALCULUS, local(MONDAY, "18:55"), local(MONDAY, "19:45"))
    after_break = planned(CALCULUS, local(MONDAY, "19:00"), local(MONDAY, "19:50"))
    violations = validate(with_kept, [over_it])
    assert codes(violations) == [("overlaps_kept_session", 0)]
    assert "'Essay'" in violations[0].message
    assert codes(validate(with_kept, [too_close])) == [("break_too_short", 0)]
    assert validate(with_kept, [after_break]) == []


def test_nothing_is_planned_for_a_subject_on_or_after_its_exam_date():
    late = request(availability=every_day("18:00", "24:00"))
    sessions = [
        planned(CALCULUS, local(THURSDAY, "23:00"), local(THURSDAY, "24:00")),
        planned(CALCULUS, local(FRIDAY, "18:00"), local(FRIDAY, "18:50")),
        planned(HISTORY, local(FRIDAY, "19:00"), local(FRIDAY, "19:50")),
    ]
    violations = validate(late, sessions)
    assert codes(violations) == [("on_or_after_exam", 1)]
    assert "2026-11-27" in violations[0].message


def test_a_day_over_the_daily_goal_is_reported_once_for_the_day():
    sessions = [
        planned(HISTORY, local(MONDAY, "18:00"), local(MONDAY, "18:50")),
        planned(HISTORY, local(MONDAY, "19:00"), local(MONDAY, "19:50")),
        planned(HISTORY, local(MONDAY, "20:00"), local(MONDAY, "20:50")),
        planned(HISTORY, local(TUESDAY, "18:00"), local(TUESDAY, "18:50")),
    ]
    violations = validate(request(), sessions)
    assert codes(violations) == [("daily_goal_exceeded", None)]
    assert "2026-11-23: 150 minutes" in violations[0].message


def test_kept_minutes_count_toward_the_daily_goal_of_days_with_new_sessions():
    keep = (
        kept(HISTORY, local(MONDAY, "16:00"), local(MONDAY, "17:30")),
        kept(HISTORY, local(TUESDAY, "12:00"), local(TUESDAY, "15:00")),
    )
    with_kept = request(kind="reschedule", keep_sessions=keep)
    monday = planned(CALCULUS, local(MONDAY, "18:00"), local(MONDAY, "18:50"))
    violations = validate(with_kept, [monday])
    assert codes(violations) == [("daily_goal_exceeded", None)]
    assert "90 kept minutes" in violations[0].message
    wednesday = MONDAY + timedelta(days=2)
    elsewhere = planned(CALCULUS, local(wednesday, "18:00"), local(wednesday, "18:50"))
    assert validate(with_kept, [elsewhere]) == []  # Tuesday is over, but nothing new is on it


def test_every_session_belongs_to_one_of_the_requests_subjects():
    stranger = subject("Astrology")
    sessions = [
        planned(None, local(MONDAY, "18:00"), local(MONDAY, "18:50")),
        planned(stranger, local(TUESDAY, "18:00"), local(TUESDAY, "18:50")),
    ]
    assert codes(validate(request(), sessions)) == [
        ("missing_subject", 0),
        ("unknown_subject", 1),
    ]


def test_every_rule_of_a_session_is_reported_not_just_the_first():
    sunday_before = MONDAY - timedelta(days=1)
    bad = planned(None, local(sunday_before, "10:00"), local(sunday_before, "10:10"))
    assert codes(validate(request(), [bad])) == [
        ("too_short", 0),
        ("outside_availability", 0),
        ("outside_week", 0),
        ("missing_subject", 0),
    ]


def test_a_window_across_the_autumn_change_holds_its_real_length_in_berlin():
    sunday = BERLIN_FALL_BACK_MONDAY + timedelta(days=6)
    night = request(
        week_start=BERLIN_FALL_BACK_MONDAY,
        availability=(window(6, "01:00", "04:00"),),
        daily_goal_minutes=240,
    )
    whole = planned(HISTORY, local(sunday, "01:00"), local(sunday, "04:00"))
    assert whole.ends_at - whole.starts_at == timedelta(hours=4)  # 02:00-03:00 happens twice
    assert validate(night, [whole]) == []
    capped = night.model_copy(
        update={"preferences": night.preferences.model_copy(update={"daily_goal_minutes": 200})}
    )
    assert codes(validate(capped, [whole])) == [("daily_goal_exceeded", None)]


def test_a_window_inside_the_repeated_hour_holds_both_occurrences_and_nothing_between():
    sunday = BERLIN_FALL_BACK_MONDAY + timedelta(days=6)
    repeated = request(
        week_start=BERLIN_FALL_BACK_MONDAY,
        availability=(window(6, "02:00", "02:30"),),
        break_minutes=0,
    )
    summer = planned(HISTORY, local(sunday, "02:00"), local(sunday, "02:30"))
    winter = planned(HISTORY, local(sunday, "02:00", fold=1), local(sunday, "02:30", fold=1))
    assert winter.starts_at - summer.starts_at == timedelta(hours=1)
    assert validate(repeated, [summer, winter]) == []
    between = planned(HISTORY, local(sunday, "02:30"), local(sunday, "02:00", fold=1))
    assert codes(validate(repeated, [between])) == [("outside_availability", 0)]


def test_a_window_across_the_spring_change_is_an_hour_shorter_in_berlin():
    sunday = BERLIN_SPRING_FORWARD_MONDAY + timedelta(days=6)
    night = request(
        week_start=BERLIN_SPRING_FORWARD_MONDAY,
        availability=(window(6, "01:00", "04:00"),),
        daily_goal_minutes=240,
    )
    whole = planned(HISTORY, local(sunday, "01:00"), local(sunday, "04:00"))
    assert whole.ends_at - whole.starts_at == timedelta(hours=2)
    assert validate(night, [whole]) == []
    longer = planned(HISTORY, whole.starts_at, whole.starts_at + timedelta(hours=3))
    assert codes(validate(night, [longer])) == [("outside_availability", 0)]


def test_the_week_ends_at_local_midnight_after_the_autumn_change_in_los_angeles():
    zone = "America/Los_Angeles"
    last_day = LOS_ANGELES_FALL_BACK_MONDAY + timedelta(days=6)  # clocks went back that day
    late = request(
        timezone=zone,
        week_start=LOS_ANGELES_FALL_BACK_MONDAY,
        availability=every_day("22:00", "24:00"),
    )
    last = planned(HISTORY, local(last_day, "23:00", zone), local(last_day, "24:00", zone))
    assert last.ends_at.hour == 8  # midnight PST, no longer PDT
    assert validate(late, [last]) == []
    after = last_day + timedelta(days=1)
    too_late = planned(HISTORY, local(after, "22:00", zone), local(after, "22:50", zone))
    assert codes(validate(late, [too_late])) == [("outside_week", 0)]


def test_an_unknown_time_zone_is_read_as_utc_like_the_planner_does():
    nowhere = request(timezone="Mars/Olympus")
    session = planned(HISTORY, local(MONDAY, "18:00", "UTC"), local(MONDAY, "18:50", "UTC"))
    assert validate(nowhere, [session]) == []


@pytest.mark.parametrize(
    ("title", "found"),
    [
        ("C", []),
        ("x" * 200, []),
        ("", [("title_empty", 0)]),
        ("   ", [("title_empty", 0)]),
        ("x" * 201, [("title_too_long", 0)]),
    ],
    ids=["one-character", "200-characters", "empty", "blank", "201-characters"],
)
def test_a_title_has_1_to_200_characters_and_is_not_blank(title, found):
    session = planned(HISTORY, local(MONDAY, "18:00"), local(MONDAY, "18:50"))
    assert codes(validate(request(), [session.model_copy(update={"title": title})])) == found


def test_a_plan_holds_at_most_200_sessions_with_the_kept_ones():
    whole_days = request(
        availability=every_day("00:00", "24:00"), daily_goal_minutes=720, break_minutes=0
    )
    starts = [
        local(MONDAY + timedelta(days=day), "00:00") + timedelta(minutes=20 * n)
        for day in range(7)
        for n in range(30)
    ]
    sessions = [planned(HISTORY, start, start + timedelta(minutes=15)) for start in starts]
    assert validate(whole_days, sessions[:200]) == []
    one_kept = (kept(HISTORY, starts[200], starts[200] + timedelta(minutes=15)),)
    with_kept = whole_days.model_copy(update={"keep_sessions": one_kept})
    assert codes(validate(with_kept, sessions[:200])) == [("too_many_sessions", None)]
