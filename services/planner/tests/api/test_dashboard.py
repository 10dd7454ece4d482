"""Dashboard API (docs/api.md: Dashboard): live totals over the last 7 or 30 local days of the
user's active plans, by day, by status and by subject, and the streak."""

from datetime import UTC, date, datetime, timedelta

import pytest

from .factories import create_subject
from .plan_factories import (
    at,
    create_plan,
    iso,
    patch_session,
    set_preferences,
    slot,
    supersede,
)
from .test_subjects import assert_problem

SUMMARY = "/api/v1/dashboard/summary"
NO_SESSIONS = {"planned": 0, "in_progress": 0, "completed": 0, "skipped": 0}


def span(starts_at: datetime, minutes: int = 60, **fields) -> dict:
    """A session input starting at the instant `starts_at`."""
    return {
        "title": "Study",
        "starts_at": iso(starts_at),
        "ends_at": iso(starts_at + timedelta(minutes=minutes)),
        **fields,
    }


async def summary(client, user, range_: str | None = "7d") -> dict:
    params = {"range": range_} if range_ else {}
    response = await client.get(SUMMARY, params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def set_status(client, user, session: dict, status: str, **fields) -> None:
    response = await patch_session(client, user, session["id"], status=status, **fields)
    assert response.status_code == 200, response.text


def days(first: str, count: int) -> list[str]:
    start = date.fromisoformat(first)
    return [(start + timedelta(days=offset)).isoformat() for offset in range(count)]


def by_day(body: dict) -> dict[str, tuple[int, int]]:
    return {d["date"]: (d["planned_minutes"], d["completed_minutes"]) for d in body["by_day"]}


async def test_with_nothing_planned_every_day_is_there_and_zero(client, alice, clock):
    body = await summary(client, alice, range_=None)
    assert body == {
        "range": "7d",
        "from": "2026-11-19",
        "to": "2026-11-25",
        "planned_minutes": 0,
        "completed_minutes": 0,
        "completion_rate": 0.0,
        "sessions": NO_SESSIONS,
        "streak_days": 0,
        "by_day": [
            {"date": day, "planned_minutes": 0, "completed_minutes": 0}
            for day in days("2026-11-19", 7)
        ],
        "by_subject": [],
    }
    thirty = await summary(client, alice, "30d")
    assert (thirty["from"], thirty["to"]) == ("2026-10-27", "2026-11-25")
    assert [d["date"] for d in thirty["by_day"]] == days("2026-10-27", 30)


@pytest.mark.parametrize("range_", ["1d", "7", "90d", "", "7D"])
async def test_any_other_range_is_a_422(client, alice, clock, range_):
    response = await client.get(SUMMARY, params={"range": range_}, headers=alice.headers)
    body = assert_problem(response, 422, "validation_error")
    assert body["errors"][0]["loc"] == ["query", "range"]


async def test_totals_count_every_status_and_completed_time_by_actual_minutes(client, alice, clock):
    calculus = await create_subject(client, alice, name="Calculus")
    biology = await create_subject(client, alice, name="Biology")
    plan = await create_plan(
        client,
        alice,
        sessions=[
            slot(23, 9, 60, subject_id=calculus["id"]),
            slot(23, 18, 90, subject_id=biology["id"]),
            slot(24, 9, 45, subject_id=calculus["id"]),
            slot(25, 8, 30),
            slot(25, 20, 60, subject_id=calculus["id"]),  # later today: in the range
            slot(26, 9, 120, subject_id=biology["id"]),  # tomorrow: not in the range
        ],
    )
    mon_calc, mon_bio, tue_calc, wed_free, *_ = plan["sessions"]
    await set_status(client, alice, mon_calc, "completed")
    await set_status(client, alice, mon_bio, "completed", actual_minutes=100)
    await set_status(client, alice, tue_calc, "skipped")
    await set_status(client, alice, wed_free, "in_progress")

    body = await summary(client, alice)
    assert body["planned_minutes"] == 60 + 90 + 45 + 30 + 60
    assert body["completed_minutes"] == 60 + 100
    assert body["completion_rate"] == round(160 / 285, 4)
    assert body["sessions"] == {"planned": 1, "in_progress": 1, "completed": 2, "skipped": 1}
    assert by_day(body) == {
        "2026-11-19": (0, 0),
        "2026-11-20": (0, 0),
        "2026-11-21": (0, 0),
        "2026-11-22": (0, 0),
        "2026-11-23": (150, 160),
        "2026-11-24": (45, 0),
        "2026-11-25": (90, 0),
    }
    assert body["by_subject"] == [
        {
            "subject_id": calculus["id"],
            "name": "Calculus",
            "planned_minutes": 165,
            "completed_minutes": 60,
        },
        {
            "subject_id": biology["id"],
            "name": "Biology",
            "planned_minutes": 90,
            "completed_minutes": 100,
        },
    ]


async def test_thirty_days_reach_into_earlier_weeks_and_superseded_plans_never_count(
    client, alice, clock, running_app
):
    old = await create_plan(client, alice, week_start="2026-10-26", sessions=[slot(-4, 9, 30)])
    last_week = await create_plan(
        client, alice, week_start="2026-11-16", sessions=[slot(16, 9, 40), slot(20, 9, 50)]
    )
    await create_plan(client, alice, sessions=[slot(24, 9, 60)])
    await set_status(client, alice, last_week["sessions"][1], "completed")
    # Oct 27, the first of the 30 days.
    assert old["sessions"][0]["starts_at"] == "2026-10-27T09:00:00Z"

    thirty = await summary(client, alice, "30d")
    assert (thirty["planned_minutes"], thirty["completed_minutes"]) == (30 + 40 + 50 + 60, 50)
    assert by_day(thirty)["2026-10-27"] == (30, 0)
    seven = await summary(client, alice, "7d")
    assert (seven["planned_minutes"], seven["completed_minutes"]) == (50 + 60, 50)

    await supersede(running_app, last_week["id"])
    thirty = await summary(client, alice, "30d")
    assert (thirty["planned_minutes"], thirty["completed_minutes"]) == (30 + 60, 0)
    assert thirty["streak_days"] == 0


async def test_the_streak_runs_up_to_today_or_yesterday_and_past_the_range(client, alice, clock):
    # Completed sessions every day from Nov 12 to Nov 24, none on Nov 11 and none yet today.
    weeks = {"2026-11-09": range(12, 16), "2026-11-16": range(16, 23), "2026-11-23": range(23, 26)}
    sessions = []
    for week_start, week_days in weeks.items():
        plan = await create_plan(
            client,
            alice,
            week_start=week_start,
            sessions=[slot(day, 7) for day in week_days] + [slot(day, 19) for day in week_days],
        )
        sessions += plan["sessions"]
    by_start = {s["starts_at"]: s for s in sessions}
    for day in range(12, 25):
        await set_status(client, alice, by_start[iso(at(day, 7))], "completed")
    # Two completed sessions on one day count as one day.
    await set_status(client, alice, by_start[iso(at(24, 19))], "completed")
    assert (await summary(client, alice))["streak_days"] == 13

    await set_status(client, alice, by_start[iso(at(25, 19))], "completed")
    assert (await summary(client, alice))["streak_days"] == 14

    # Undoing Nov 18's completion breaks the run: Nov 19 to today is left.
    await set_status(client, alice, by_start[iso(at(18, 7))], "planned")
    assert (await summary(client, alice))["streak_days"] == 7

    # Nothing yesterday or today: the streak is over.
    clock.now = at(27, 12)
    assert (await summary(client, alice))["streak_days"] == 0


async def test_another_users_sessions_never_count(client, alice, bob, clock):
    subject = await create_subject(client, bob, name="Physics")
    plan = await create_plan(client, bob, sessions=[slot(24, 9, 60, subject_id=subject["id"])])
    await set_status(client, bob, plan["sessions"][0], "completed")
    assert (await summary(client, bob))["completed_minutes"] == 60
    body = await summary(client, alice, "30d")
    assert (body["planned_minutes"], body["streak_days"], body["by_subject"]) == (0, 0, [])


async def test_a_day_ends_at_midnight_in_kiritimati(client, alice, clock, running_app):
    """UTC+14: at 10:30Z on Nov 25 it is already 00:30 on Thursday Nov 26 there."""
    await set_preferences(running_app, alice, "Pacific/Kiritimati", "monday")
    clock.now = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)
    before_midnight = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)  # Nov 25, 23:30 local
    after_midnight = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # Nov 26, 00:00 local
    plan = await create_plan(
        client, alice, sessions=[span(before_midnight, 30), span(after_midnight, 20)]
    )
    assert plan["week_start"] == "2026-11-23"
    await set_status(client, alice, plan["sessions"][0], "completed")

    body = await summary(client, alice)
    assert (body["from"], body["to"]) == ("2026-11-20", "2026-11-26")
    assert by_day(body)["2026-11-25"] == (30, 30)
    assert by_day(body)["2026-11-26"] == (20, 0)
    assert body["streak_days"] == 1  # yesterday, local

    # One minute earlier it is still Nov 25 there, and the 00:00 session is tomorrow's.
    clock.now = datetime(2026, 11, 25, 9, 59, tzinfo=UTC)
    body = await summary(client, alice)
    assert body["to"] == "2026-11-25"
    assert (body["planned_minutes"], body["streak_days"]) == (30, 1)


async def test_a_day_ends_at_midnight_in_los_angeles(client, alice, clock, running_app):
    """UTC-8 in November: at 07:30Z on Nov 25 it is still 23:30 on Nov 24 there."""
    await set_preferences(running_app, alice, "America/Los_Angeles", "monday")
    clock.now = datetime(2026, 11, 25, 7, 30, tzinfo=UTC)
    late = datetime(2026, 11, 25, 7, 45, tzinfo=UTC)  # Nov 24, 23:45 local
    tomorrow = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # Nov 25, 00:00 local
    plan = await create_plan(client, alice, sessions=[span(late, 15), span(tomorrow, 45)])
    assert plan["week_start"] == "2026-11-23"
    body = await summary(client, alice)
    assert body["to"] == "2026-11-24"
    assert by_day(body)["2026-11-24"] == (15, 0)
    assert body["planned_minutes"] == 15


async def test_the_day_daylight_saving_ends_is_one_25_hour_day(client, alice, clock, running_app):
    """Los Angeles leaves daylight saving at 02:00 on Sunday Nov 1, 2026: that local day runs
    from 07:00Z on Nov 1 to 08:00Z on Nov 2."""
    await set_preferences(running_app, alice, "America/Los_Angeles", "monday")
    clock.now = datetime(2026, 11, 2, 7, 30, tzinfo=UTC)  # Sunday Nov 1, 23:30 PST
    starts = [
        datetime(2026, 10, 26, 7, 0, tzinfo=UTC),  # Mon Oct 26, 00:00 PDT: the first day
        datetime(2026, 11, 1, 6, 30, tzinfo=UTC),  # Sat Oct 31, 23:30 PDT
        datetime(2026, 11, 1, 7, 0, tzinfo=UTC),  # Sun Nov 1, 00:00 PDT
        datetime(2026, 11, 1, 8, 30, tzinfo=UTC),  # Sun Nov 1, 01:30 PDT
        datetime(2026, 11, 1, 9, 30, tzinfo=UTC),  # Sun Nov 1, 01:30 PST: the hour again
        datetime(2026, 11, 2, 7, 0, tzinfo=UTC),  # Sun Nov 1, 23:00 PST
    ]
    plan = await create_plan(client, alice, sessions=[span(start, 30) for start in starts])
    assert (plan["week_start"], plan["session_count"]) == ("2026-10-26", 6)
    for session in plan["sessions"][1:]:
        await set_status(client, alice, session, "completed")

    body = await summary(client, alice)
    assert (body["from"], body["to"]) == ("2026-10-26", "2026-11-01")
    assert by_day(body) == {
        "2026-10-26": (30, 0),
        "2026-10-27": (0, 0),
        "2026-10-28": (0, 0),
        "2026-10-29": (0, 0),
        "2026-10-30": (0, 0),
        "2026-10-31": (30, 30),
        "2026-11-01": (120, 120),
    }
    assert body["streak_days"] == 2
    # Half an hour later it is Monday in Los Angeles: a new week and a new day.
    clock.now = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    body = await summary(client, alice)
    assert (body["to"], by_day(body)["2026-11-02"]) == ("2026-11-02", (0, 0))
    assert body["streak_days"] == 2


async def test_the_dashboard_needs_a_token(client):
    response = await client.get(SUMMARY)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
