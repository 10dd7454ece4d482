"""Sessions API (docs/api.md: Plans and sessions): add to the current plan, list, and patch,
including the full status transition table."""

import asyncio
import uuid

import pytest

from schediora_contracts.limits import SESSIONS_PER_PLAN_MAX

from .factories import create_subject
from .plan_factories import (
    CURRENT_SESSIONS,
    NOW,
    PLANS,
    SESSIONS,
    add_session,
    at,
    create_plan,
    iso,
    list_all,
    patch_session,
    set_preferences,
    slot,
    supersede,
)
from .test_subjects import assert_problem

STATUSES = ["planned", "in_progress", "completed", "skipped"]
ALLOWED = {
    ("planned", "in_progress"),
    ("planned", "completed"),
    ("planned", "skipped"),
    ("in_progress", "completed"),
    ("in_progress", "skipped"),
    ("in_progress", "planned"),
    ("completed", "planned"),
    ("skipped", "planned"),
}


@pytest.fixture
async def plan(client, alice, clock) -> dict:
    """Alice's plan for the current week (Monday 2026-11-23, UTC)."""
    return await create_plan(client, alice)


async def test_a_session_is_added_to_the_current_plan(client, alice, plan):
    subject = await create_subject(client, alice, "Physics")
    session = await add_session(client, alice, slot(25, 14, 50, subject_id=subject["id"]))
    assert (session["plan_id"], session["subject_id"]) == (plan["id"], subject["id"])
    assert (session["status"], session["source"], session["duration_minutes"]) == (
        "planned",
        "manual",
        50,
    )
    current = (await client.get(f"{PLANS}/{plan['id']}", headers=alice.headers)).json()
    assert (current["session_count"], current["total_minutes"]) == (1, 50)
    assert current["sessions"] == [session]


async def test_without_a_current_plan_adding_a_session_is_a_404(client, alice, clock):
    await create_plan(client, alice, week_start="2026-11-30")
    response = await client.post(CURRENT_SESSIONS, json=slot(25, 9), headers=alice.headers)
    assert_problem(response, 404, "no_current_plan")


async def test_an_overlapping_session_is_a_409_but_a_touching_one_is_fine(client, alice, plan):
    await add_session(client, alice, slot(25, 9, 60))
    response = await client.post(CURRENT_SESSIONS, json=slot(25, 9, 30), headers=alice.headers)
    assert_problem(response, 409, "session_overlap")
    await add_session(client, alice, slot(25, 10, 60))
    await add_session(client, alice, slot(25, 8, 60))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (slot(22, 9), "starts_at"),
        (slot(30, 9), "starts_at"),
        (slot(29, 23, 61), "starts_at"),
        (slot(25, 9, 0), None),
        (slot(25, 9, -60), None),
        (slot(25, 9, 481), None),
        (slot(25, 9, subject_id=str(uuid.uuid4())), "subject_id"),
        (slot(25, 9, status="completed"), "status"),
        ({"title": "No times"}, "starts_at"),
    ],
)
async def test_an_invalid_session_is_a_422(client, alice, plan, body, field):
    response = await client.post(CURRENT_SESSIONS, json=body, headers=alice.headers)
    errors = assert_problem(response, 422, "validation_error")["errors"]
    if field is not None:
        assert field in errors[0]["loc"]
    assert await list_all(client, alice, SESSIONS) == []


async def test_a_plan_holds_at_most_200_sessions(client, alice, clock):
    sessions = [
        slot(23, 0, 30)
        | {"starts_at": iso(at(23, 0, 30 * i)), "ends_at": iso(at(23, 0, 30 * i + 30))}
        for i in range(SESSIONS_PER_PLAN_MAX)
    ]
    await create_plan(client, alice, sessions=sessions)
    response = await client.post(CURRENT_SESSIONS, json=slot(29, 20), headers=alice.headers)
    assert_problem(response, 422, "limit_reached")


async def test_twenty_concurrent_overlapping_adds_make_exactly_one_session(client, alice, plan):
    responses = await asyncio.gather(
        *(
            client.post(CURRENT_SESSIONS, json=slot(26, 9, 60 + i), headers=alice.headers)
            for i in range(20)
        )
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 19, statuses
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"session_overlap"}
    assert len(await list_all(client, alice, SESSIONS)) == 1


async def test_the_session_list_is_this_weeks_by_start_or_all_of_the_active_plans(
    client, alice, bob, plan, running_app
):
    later = await add_session(client, alice, slot(27, 9))
    earlier = await add_session(client, alice, slot(24, 9))
    next_week = await create_plan(client, alice, week_start="2026-11-30", sessions=[slot(30, 9)])
    old = await create_plan(client, alice, week_start="2026-11-16", sessions=[slot(17, 9)])
    await supersede(running_app, old["id"])
    await create_plan(client, bob, sessions=[slot(24, 9)])

    current = await list_all(client, alice, SESSIONS, limit=1)
    assert [s["id"] for s in current] == [earlier["id"], later["id"]]
    assert await list_all(client, alice, SESSIONS, week="current") == current
    every = await list_all(client, alice, SESSIONS, week="all", limit=2)
    assert [s["id"] for s in every] == [
        earlier["id"],
        later["id"],
        next_week["sessions"][0]["id"],
    ]
    for params in ({"week": "next"}, {"limit": 101}, {"cursor": "x"}):
        response = await client.get(SESSIONS, params=params, headers=alice.headers)
        assert_problem(response, 422, "validation_error")


async def _session_in(client, user, status: str) -> dict:
    """A new session of the current plan, brought to `status` by an allowed transition."""
    session = await add_session(client, user, slot(25, 9 + STATUSES.index(status)))
    if status != "planned":
        response = await patch_session(client, user, session["id"], status=status)
        assert response.status_code == 200, response.text
        session = response.json()
    return session


@pytest.mark.parametrize("new", STATUSES)
@pytest.mark.parametrize("old", STATUSES)
async def test_the_status_changes_exactly_as_the_transition_table_allows(
    client, alice, plan, old, new
):
    session = await _session_in(client, alice, old)
    response = await patch_session(client, alice, session["id"], status=new)
    if (old, new) in ALLOWED:
        assert response.status_code == 200, response.text
        assert response.json()["status"] == new
    else:
        assert_problem(response, 409, "invalid_transition")
        listed = await list_all(client, alice, SESSIONS)
        assert [s["status"] for s in listed] == [old]


async def test_completion_records_when_and_how_long_and_undo_clears_both(
    client, alice, plan, clock
):
    session = await add_session(client, alice, slot(25, 9, 90))
    completed = (await patch_session(client, alice, session["id"], status="completed")).json()
    assert completed["completed_at"] == iso(NOW)
    assert completed["actual_minutes"] == 90
    corrected = await patch_session(client, alice, session["id"], actual_minutes=75)
    assert corrected.json()["actual_minutes"] == 75
    undone = (await patch_session(client, alice, session["id"], status="planned")).json()
    assert undone["completed_at"] is undone["actual_minutes"] is None
    response = await patch_session(client, alice, session["id"], actual_minutes=30)
    assert_problem(response, 422, "validation_error")
    told = await patch_session(client, alice, session["id"], status="completed", actual_minutes=40)
    assert told.json()["actual_minutes"] == 40
    await patch_session(client, alice, session["id"], status="planned")
    skipped = (await patch_session(client, alice, session["id"], status="skipped")).json()
    assert skipped["completed_at"] is skipped["actual_minutes"] is None


async def test_concurrent_status_changes_of_one_session_apply_one_at_a_time(client, alice, plan):
    """The row is locked while its transition is checked: of ten completions sent at once one
    applies, and the others find the session completed already (no transition to itself)."""
    session = await add_session(client, alice, slot(25, 9, 90))
    responses = await asyncio.gather(
        *(patch_session(client, alice, session["id"], status="completed") for _ in range(10))
    )
    assert sorted(r.status_code for r in responses) == [200] + [409] * 9
    for response in responses:
        if response.status_code == 409:
            assert_problem(response, 409, "invalid_transition")


async def test_patch_changes_only_the_fields_sent(client, alice, plan):
    subject = await create_subject(client, alice, "Chemistry")
    session = await add_session(client, alice, slot(25, 9, notes="old"))
    response = await patch_session(
        client,
        alice,
        session["id"],
        title="Revision",
        subject_id=subject["id"],
        starts_at=iso(at(25, 10)),
        ends_at=iso(at(25, 12)),
    )
    assert response.status_code == 200, response.text
    patched = response.json()
    assert (patched["title"], patched["subject_id"], patched["notes"]) == (
        "Revision",
        subject["id"],
        "old",
    )
    assert (patched["starts_at"], patched["duration_minutes"]) == ("2026-11-25T10:00:00Z", 120)
    cleared = (
        await patch_session(client, alice, session["id"], notes=None, subject_id=None)
    ).json()
    assert cleared["notes"] is cleared["subject_id"] is None


async def test_moving_a_session_onto_another_is_a_409(client, alice, plan):
    await add_session(client, alice, slot(25, 9))
    other = await add_session(client, alice, slot(25, 11))
    response = await patch_session(client, alice, other["id"], starts_at=iso(at(25, 9, 30)))
    assert_problem(response, 409, "session_overlap")
    moved = await patch_session(client, alice, other["id"], starts_at=iso(at(25, 10)))
    assert moved.json()["duration_minutes"] == 120


@pytest.mark.parametrize(
    "body",
    [
        {"ends_at": iso(at(25, 9))},
        {"ends_at": iso(at(25, 17, 1))},
        {"starts_at": iso(at(22, 23)), "ends_at": iso(at(23, 0))},
        {"starts_at": iso(at(29, 23)), "ends_at": iso(at(30, 1))},
        {"title": None},
        {"status": None},
        {"title": ""},
        {"status": "done"},
        {"actual_minutes": -1},
        {"subject_id": str(uuid.uuid4())},
        {"plan_id": str(uuid.uuid4())},
        {"starts_at": "2026-11-25T08:00:00"},
    ],
)
async def test_an_invalid_patch_is_a_422_and_changes_nothing(client, alice, plan, body):
    session = await add_session(client, alice, slot(25, 9))
    response = await patch_session(client, alice, session["id"], **body)
    assert_problem(response, 422, "validation_error")
    assert await list_all(client, alice, SESSIONS) == [session]


async def test_another_users_session_is_a_404_and_never_listed(client, alice, bob, plan):
    session = await add_session(client, alice, slot(25, 9))
    response = await patch_session(client, bob, session["id"], status="skipped")
    assert_problem(response, 404, "not_found")
    unknown = await patch_session(client, bob, str(uuid.uuid4()), status="skipped")
    assert_problem(unknown, 404, "not_found")
    assert await list_all(client, bob, SESSIONS, week="all") == []
    assert_problem(
        await client.post(CURRENT_SESSIONS, json=slot(25, 9), headers=bob.headers),
        404,
        "no_current_plan",
    )
    assert await list_all(client, alice, SESSIONS) == [session]


async def test_every_sessions_route_needs_a_token(client):
    for method, url in (
        ("GET", SESSIONS),
        ("POST", CURRENT_SESSIONS),
        ("PATCH", f"{SESSIONS}/{uuid.uuid4()}"),
    ):
        response = await client.request(method, url, json={} if method != "GET" else None)
        assert response.status_code == 401


async def test_a_superseded_plans_session_is_history_and_cannot_change(
    client, alice, plan, running_app
):
    session = await add_session(client, alice, slot(25, 9))
    await supersede(running_app, plan["id"])
    # Read after the supersede, which itself touches the sessions (their updated_at).
    before = (await client.get(f"{PLANS}/{plan['id']}", headers=alice.headers)).json()
    assert [s["id"] for s in before["sessions"]] == [session["id"]]
    for body in ({"status": "completed"}, {"title": "Rewritten"}, {"starts_at": iso(at(25, 7))}):
        response = await patch_session(client, alice, session["id"], **body)
        assert_problem(response, 409, "plan_superseded")
    kept = (await client.get(f"{PLANS}/{plan['id']}", headers=alice.headers)).json()
    assert kept["sessions"] == before["sessions"]


@pytest.mark.parametrize(
    ("now", "listed"),
    [
        # Sunday 09:59Z is Sunday 23:59 in Kiritimati (UTC+14): still the week of Nov 23.
        (at(29, 9, 59), ["2026-11-22T10:00:00Z"]),
        # A minute later it is Monday Nov 30 there: a new week.
        (at(29, 10), ["2026-11-29T10:00:00Z"]),
    ],
)
async def test_this_weeks_sessions_follow_midnight_in_kiritimati(
    client, alice, clock, running_app, now, listed
):
    await set_preferences(running_app, alice, "Pacific/Kiritimati", "monday")
    # Monday 00:00 local is 10:00Z on the Sunday before.
    await create_plan(client, alice, week_start="2026-11-23", sessions=[slot(22, 10)])
    await create_plan(client, alice, week_start="2026-11-30", sessions=[slot(29, 10)])
    clock.now = now
    assert [s["starts_at"] for s in await list_all(client, alice, SESSIONS)] == listed
