"""Weeks in the user's calendar and the session status table, without I/O."""

from datetime import UTC, date, datetime

import pytest

from planner.plans.domain import can_transition
from planner.users.domain import Calendar


@pytest.mark.parametrize(
    ("calendar", "day", "week_start"),
    [
        (Calendar(), date(2026, 11, 23), date(2026, 11, 23)),
        (Calendar(), date(2026, 11, 29), date(2026, 11, 23)),
        (Calendar("UTC", "sunday"), date(2026, 11, 28), date(2026, 11, 22)),
        (Calendar("UTC", "sunday"), date(2026, 11, 29), date(2026, 11, 29)),
    ],
)
def test_a_day_belongs_to_the_week_that_starts_on_the_users_first_weekday(
    calendar, day, week_start
):
    assert calendar.week_of(day) == week_start
    assert calendar.is_week_start(week_start)


def test_a_week_spans_local_midnight_to_local_midnight_across_a_dst_change():
    start, end = Calendar("Europe/Berlin").window(date(2026, 10, 19))
    assert start == datetime(2026, 10, 18, 22, tzinfo=UTC)
    assert end == datetime(2026, 10, 25, 23, tzinfo=UTC)  # summer time ended on the 25th


def test_an_unknown_time_zone_falls_back_to_utc():
    assert Calendar("Mars/Olympus").today(datetime(2026, 11, 23, 23, 30, tzinfo=UTC)) == date(
        2026, 11, 23
    )


def test_a_status_never_transitions_to_itself():
    assert not any(can_transition(s, s) for s in ("planned", "in_progress", "completed", "skipped"))
