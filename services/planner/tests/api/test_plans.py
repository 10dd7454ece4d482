"""Plans API (docs/api.md: Plans and sessions): create, list, get and the current plan."""

import asyncio
import uuid
from datetime import UTC, datetime

import pytest

from .factories import create_subject
from .plan_factories import (
    CURRENT,
    PLANS,
    at,
    create_plan,
    iso,
    list_all,
    set_preferences,
    slot,
    supersede,
)
from .test_subjects import RFC3339_UTC, assert_problem

PLAN_FIELDS = {
    "id",
    "week_start",
    "week_end",
    "source",
    "status",
    "generation_id",
    "title",
    "session_count",
    "total_minutes",
    "created_at",
}
SESSION_FIELDS = {
    "id",
    "plan_id",
    "subject_id",
    "title",
    "starts_at",
    "ends_at",
    "duration_minutes",
    "status",
    "source",
    "notes",
    "actual_minutes",
    "completed_at",
    "rationale",
    "pinned",
    "created_at",
    "updated_at",
}


async def test_a_plan_defaults_to_the_current_week_with_no_sessions(client, alice, clock):
    plan = await create_plan(client, alice)
    assert set(plan) == PLAN_FIELDS | {"sessions"}
    assert plan["week_start"] == "2026-11-23"
    assert plan["week_end"] == "2026-11-29"
    assert (plan["source"], plan["status"]) == ("manual", "active")
    assert plan["generation_id"] is plan["title"] is None
    assert (plan["session_count"], plan["total_minutes"], plan["sessions"]) == (0, 0, [])
    assert RFC3339_UTC.match(plan["created_at"])


async def test_a_plan_is_created_with_its_sessions_in_start_order(client, alice, clock):
    subject = await create_subject(client, alice, "Maths")
    plan = await create_plan(
        client,
        alice,
        week_start="2026-11-23",
        title="  Exam week ",
        sessions=[
            slot(26, 9, 90, title="Later", notes="bring notes"),
            slot(24, 18, 45, subject_id=subject["id"]),
        ],
    )
    assert plan["title"] == "Exam week"
    assert (plan["session_count"], plan["total_minutes"]) == (2, 135)
    first, second = plan["sessions"]
    assert set(first) == SESSION_FIELDS
    assert first["starts_at"] == "2026-11-24T18:00:00Z"
    assert first["ends_at"] == "2026-11-24T18:45:00Z"
    assert first["duration_minutes"] == 45
    assert first["subject_id"] == subject["id"]
    assert (first["status"], first["source"], first["plan_id"]) == ("planned", "manual", plan["id"])
    assert first["actual_minutes"] is first["completed_at"] is first["rationale"] is None
    assert (second["title"], second["notes"]) == ("Later", "bring notes")
    fetched = await client.get(f"{PLANS}/{plan['id']}", headers=alice.headers)
    assert fetched.json() == plan


@pytest.mark.parametrize(
    ("timezone", "week_starts_on", "now", "week_start"),
    [
        # Saturday noon UTC is already Sunday in Auckland: a new Sunday week there.
        ("Pacific/Auckland", "sunday", at(28, 12), "2026-11-29"),
        # Monday 05:00 UTC is still Sunday evening in Los Angeles: last week.
        ("America/Los_Angeles", "monday", at(23, 5), "2026-11-16"),
        ("UTC", "sunday", at(25, 12), "2026-11-22"),
        # Kiritimati is UTC+14: Sunday 10:00Z is already Monday Nov 30 there.
        ("Pacific/Kiritimati", "monday", at(29, 9, 59), "2026-11-23"),
        ("Pacific/Kiritimati", "monday", at(29, 10), "2026-11-30"),
        # Los Angeles leaves daylight saving on Sunday Nov 1: midnight is 08:00Z from then on.
        ("America/Los_Angeles", "monday", at(2, 7, 59), "2026-10-26"),
        ("America/Los_Angeles", "monday", at(2, 8), "2026-11-02"),
        # ...and enters it on Sunday March 8: the week of March 9 starts at 07:00Z.
        ("America/Los_Angeles", "monday", datetime(2026, 3, 9, 6, 59, tzinfo=UTC), "2026-03-02"),
        ("America/Los_Angeles", "monday", datetime(2026, 3, 9, 7, tzinfo=UTC), "2026-03-09"),
    ],
)
async def test_the_default_week_is_the_current_one_in_the_users_calendar(
    client, alice, clock, running_app, timezone, week_starts_on, now, week_start
):
    await set_preferences(running_app, alice, timezone, week_starts_on)
    clock.now = now
    assert (await create_plan(client, alice))["week_start"] == week_start


async def test_a_week_start_that_is_not_the_users_first_weekday_is_a_422(
    client, alice, bob, clock, running_app
):
    response = await client.post(PLANS, json={"week_start": "2026-11-24"}, headers=alice.headers)
    body = assert_problem(response, 422, "validation_error")
    assert body["errors"][0]["loc"] == ["body", "week_start"]
    await set_preferences(running_app, bob, "UTC", "sunday")
    response = await client.post(PLANS, json={"week_start": "2026-11-23"}, headers=bob.headers)
    assert_problem(response, 422, "validation_error")
    assert (await create_plan(client, bob, week_start="2026-11-22"))["week_end"] == "2026-11-28"


@pytest.mark.parametrize(
    ("session", "loc"),
    [
        (slot(24, 10, 0), ["body", "sessions", 0]),
        (slot(24, 10, -30), ["body", "sessions", 0]),
        (slot(24, 10, 8 * 60 + 1), ["body", "sessions", 0]),
        (slot(24, 10, title=" "), ["body", "sessions", 0, "title"]),
        (slot(24, 10, title="x" * 201), ["body", "sessions", 0, "title"]),
        (slot(24, 10, notes="x" * 2001), ["body", "sessions", 0, "notes"]),
        (slot(24, 10, colour="red"), ["body", "sessions", 0, "colour"]),
        (
            {"title": "No zone", "starts_at": "2026-11-24T10:00:00", "ends_at": iso(at(24, 11))},
            ["body", "sessions", 0, "starts_at"],
        ),
        (slot(22, 23), ["body", "sessions", 0, "starts_at"]),
        (slot(29, 23, 61), ["body", "sessions", 0, "starts_at"]),
        (slot(24, 10, subject_id=str(uuid.uuid4())), ["body", "sessions", 0, "subject_id"]),
    ],
)
async def test_an_invalid_session_in_a_new_plan_is_a_422_naming_it(
    client, alice, clock, session, loc
):
    response = await client.post(PLANS, json={"sessions": [session]}, headers=alice.headers)
    body = assert_problem(response, 422, "validation_error")
    assert body["errors"][0]["loc"][: len(loc)] == loc
    assert await list_all(client, alice, PLANS) == []


async def test_the_week_is_bounded_by_midnight_in_the_users_time_zone(
    client, alice, clock, running_app
):
    await set_preferences(running_app, alice, "Europe/Berlin", "monday")
    # Berlin is UTC+1 in November: the week is [Nov 22 23:00Z, Nov 29 23:00Z).
    first, last = slot(22, 23), slot(29, 22)
    plan = await create_plan(client, alice, sessions=[first, last])
    assert plan["session_count"] == 2
    await supersede(running_app, plan["id"])
    response = await client.post(PLANS, json={"sessions": [slot(22, 22)]}, headers=alice.headers)
    assert_problem(response, 422, "validation_error")


async def test_unknown_fields_and_too_many_sessions_are_a_422(client, alice, clock):
    for body in (
        {"week": "2026-11-23"},
        {"sessions": [slot(23, 0, 30)] * 201},
        {"title": ""},
        {"week_start": "23/11/2026"},
    ):
        response = await client.post(PLANS, json=body, headers=alice.headers)
        assert_problem(response, 422, "validation_error")


async def test_another_users_subject_is_an_unknown_subject(client, alice, bob, clock):
    subject = await create_subject(client, bob, "Bob's")
    response = await client.post(
        PLANS, json={"sessions": [slot(24, 9, subject_id=subject["id"])]}, headers=alice.headers
    )
    assert assert_problem(response, 422, "validation_error")["errors"][0]["loc"][-1] == (
        "subject_id"
    )


async def test_a_second_active_plan_for_a_week_is_a_409_plan_exists(client, alice, bob, clock):
    await create_plan(client, alice)
    response = await client.post(PLANS, json={"week_start": "2026-11-23"}, headers=alice.headers)
    assert_problem(response, 409, "plan_exists")
    await create_plan(client, alice, week_start="2026-11-30")
    await create_plan(client, bob, week_start="2026-11-23")  # another user's plans do not count


async def test_twenty_concurrent_creates_for_one_week_make_exactly_one_plan(client, alice, clock):
    responses = await asyncio.gather(
        *(
            client.post(PLANS, json={"sessions": [slot(24, 9)]}, headers=alice.headers)
            for _ in range(20)
        )
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 19, statuses
    assert {r.json()["code"] for r in responses if r.status_code == 409} <= {
        "plan_exists",
        "session_overlap",
    }
    assert len(await list_all(client, alice, PLANS)) == 1


async def test_overlapping_sessions_in_a_new_plan_are_a_409_but_touching_ones_are_fine(
    client, alice, clock
):
    response = await client.post(
        PLANS, json={"sessions": [slot(24, 9, 90), slot(24, 10)]}, headers=alice.headers
    )
    assert_problem(response, 409, "session_overlap")
    plan = await create_plan(client, alice, sessions=[slot(24, 9), slot(24, 10)])
    assert plan["session_count"] == 2


async def test_a_new_plan_may_not_overlap_another_active_plans_sessions(
    client, alice, clock, running_app
):
    await create_plan(client, alice, sessions=[slot(29, 10)])  # Sunday of a Monday week
    await set_preferences(running_app, alice, "UTC", "sunday")
    response = await client.post(
        PLANS,
        json={"week_start": "2026-11-29", "sessions": [slot(29, 10, 30)]},
        headers=alice.headers,
    )
    assert_problem(response, 409, "session_overlap")


async def test_a_superseded_plan_blocks_neither_a_new_plan_nor_its_sessions(
    client, alice, clock, running_app
):
    old = await create_plan(client, alice, sessions=[slot(24, 9)])
    await supersede(running_app, old["id"])
    new = await create_plan(client, alice, sessions=[slot(24, 9)])
    assert new["status"] == "active"
    history = (await client.get(f"{PLANS}/{old['id']}", headers=alice.headers)).json()
    assert (history["status"], history["session_count"]) == ("superseded", 1)


async def test_the_list_is_newest_week_first_filtered_by_status_and_paged(
    client, alice, bob, clock, running_app
):
    weeks = ["2026-11-16", "2026-11-30", "2026-11-23", "2026-12-07"]
    plans = {week: await create_plan(client, alice, week_start=week) for week in weeks}
    await supersede(running_app, plans["2026-11-16"]["id"])
    await create_plan(client, bob, week_start="2026-11-23")
    listed = await list_all(client, alice, PLANS, limit=1)
    assert [p["week_start"] for p in listed] == sorted(weeks, reverse=True)
    assert set(listed[0]) == PLAN_FIELDS
    active = await list_all(client, alice, PLANS, status="active")
    assert [p["week_start"] for p in active] == ["2026-12-07", "2026-11-30", "2026-11-23"]
    superseded = await list_all(client, alice, PLANS, status="superseded")
    assert [p["id"] for p in superseded] == [plans["2026-11-16"]["id"]]
    for params in ({"status": "done"}, {"limit": 0}, {"cursor": "nope"}):
        response = await client.get(PLANS, params=params, headers=alice.headers)
        assert_problem(response, 422, "validation_error")


async def test_the_current_plan_is_the_active_plan_whose_week_contains_today(client, alice, clock):
    response = await client.get(CURRENT, headers=alice.headers)
    assert_problem(response, 404, "no_current_plan")
    await create_plan(client, alice, week_start="2026-11-30")
    assert_problem(await client.get(CURRENT, headers=alice.headers), 404, "no_current_plan")
    plan = await create_plan(client, alice, sessions=[slot(24, 9)])
    current = await client.get(CURRENT, headers=alice.headers)
    assert current.status_code == 200
    assert current.json() == plan
    clock.now = at(30, 0)
    assert (await client.get(CURRENT, headers=alice.headers)).json()["week_start"] == "2026-11-30"


async def test_another_users_plan_is_a_404_and_never_listed(client, alice, bob, clock):
    plan = await create_plan(client, alice)
    response = await client.get(f"{PLANS}/{plan['id']}", headers=bob.headers)
    assert_problem(response, 404, "not_found")
    assert_problem(
        await client.get(f"{PLANS}/{uuid.uuid4()}", headers=bob.headers), 404, "not_found"
    )
    assert_problem(await client.get(CURRENT, headers=bob.headers), 404, "no_current_plan")
    assert await list_all(client, bob, PLANS) == []
    response = await client.get(f"{PLANS}/not-a-uuid", headers=alice.headers)
    assert_problem(response, 422, "validation_error")


async def test_every_plans_route_needs_a_token(client):
    for method, url in (("GET", PLANS), ("POST", PLANS), ("GET", CURRENT)):
        response = await client.request(method, url, json={} if method == "POST" else None)
        assert response.status_code == 401
