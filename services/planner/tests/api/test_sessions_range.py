"""`GET /sessions?from=&to=` (docs/api.md: Calendar): the sessions of the user's active plans
that start on the local days `from`..`to`, inclusive, at most 92 days."""

import pytest

from .plan_factories import SESSIONS, create_plan, list_all, set_preferences, slot, supersede
from .test_subjects import assert_problem


async def test_the_range_lists_sessions_starting_on_its_local_days_inclusive(
    client, alice, bob, clock, running_app
):
    # Berlin is UTC+1 in November: local Nov 24 is [Nov 23 23:00Z, Nov 24 23:00Z).
    await set_preferences(running_app, alice, "Europe/Berlin", "monday")
    current = await create_plan(
        client,
        alice,
        week_start="2026-11-23",
        sessions=[slot(23, 22), slot(23, 23), slot(25, 22), slot(25, 23)],
    )
    nxt = await create_plan(client, alice, week_start="2026-11-30", sessions=[slot(30, 9)])
    old = await create_plan(client, alice, week_start="2026-11-16", sessions=[slot(24 - 7, 9)])
    await supersede(running_app, old["id"])
    await create_plan(client, bob, sessions=[slot(24, 9)])

    ids = [s["id"] for s in current["sessions"]]
    listed = await list_all(client, alice, SESSIONS, **{"from": "2026-11-24", "to": "2026-11-25"})
    # 23 22:00Z is Nov 23 23:00 local (out); 23 23:00Z and 25 22:00Z are in; 25 23:00Z is Nov 26.
    assert [s["id"] for s in listed] == ids[1:3]
    one_page = await list_all(
        client, alice, SESSIONS, limit=1, **{"from": "2026-11-16", "to": "2026-12-06"}
    )
    assert [s["id"] for s in one_page] == [*ids, nxt["sessions"][0]["id"]]
    same_day = await list_all(client, alice, SESSIONS, **{"from": "2026-11-30", "to": "2026-11-30"})
    assert [s["id"] for s in same_day] == [nxt["sessions"][0]["id"]]


async def test_92_days_is_the_longest_range(client, alice, clock):
    response = await client.get(
        SESSIONS, params={"from": "2026-09-01", "to": "2026-12-01"}, headers=alice.headers
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"items": [], "next_cursor": None}


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"from": "2026-09-01", "to": "2026-12-02"}, "to"),
        ({"from": "2026-11-25", "to": "2026-11-24"}, "to"),
        ({"from": "2026-11-25"}, "to"),
        ({"to": "2026-11-25"}, "from"),
        ({"from": "2026-11-23", "to": "2026-11-29", "week": "current"}, "week"),
        ({"from": "2026-11-23", "to": "2026-11-29", "week": "all"}, "week"),
    ],
)
async def test_a_bad_range_is_a_422_invalid_date_range(client, alice, clock, params, loc):
    response = await client.get(SESSIONS, params=params, headers=alice.headers)
    body = assert_problem(response, 422, "invalid_date_range")
    assert body["errors"][0]["loc"] == ["query", loc]


@pytest.mark.parametrize("params", [{"from": "2026-13-01", "to": "2026-12-01"}, {"to": "x"}])
async def test_a_day_that_is_not_a_date_is_a_validation_error(client, alice, clock, params):
    response = await client.get(SESSIONS, params=params, headers=alice.headers)
    assert_problem(response, 422, "validation_error")
