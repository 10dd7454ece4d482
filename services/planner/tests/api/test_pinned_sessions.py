"""Pinned sessions (docs/api.md: Calendar): a PATCH pins a session, and a reschedule keeps it
exactly (id and times), tells the generator it is fixed, and plans around it."""

import uuid

import pytest

from .factories import create_subject
from .job_factories import RESCHEDULE, answer, generated, planned, requests_in_outbox
from .plan_factories import (
    EVENINGS,
    SESSIONS,
    at,
    create_plan,
    list_all,
    patch_session,
    set_preferences,
    slot,
)
from .test_jobs import wait_for
from .test_subjects import assert_problem


async def test_a_session_is_unpinned_until_a_patch_pins_it(client, alice, clock):
    plan = await create_plan(client, alice, sessions=[slot(26, 9)])
    (session,) = plan["sessions"]
    assert session["pinned"] is False
    response = await patch_session(client, alice, session["id"], pinned=True)
    assert response.status_code == 200, response.text
    assert response.json()["pinned"] is True
    (listed,) = await list_all(client, alice, SESSIONS)
    assert listed["pinned"] is True
    assert (await patch_session(client, alice, session["id"], pinned=False)).json()[
        "pinned"
    ] is False


@pytest.mark.parametrize("value", [None, "yes", 1])
async def test_pinned_takes_only_a_boolean(client, alice, clock, value):
    plan = await create_plan(client, alice, sessions=[slot(26, 9)])
    response = await patch_session(client, alice, plan["sessions"][0]["id"], pinned=value)
    assert_problem(response, 422, "validation_error")


async def test_a_reschedule_keeps_pinned_sessions_exactly_and_plans_around_them(
    client, alice, clock, running_app, settings
):
    await set_preferences(running_app, alice, "UTC", "monday", EVENINGS)
    calculus = await create_subject(client, alice, "Calculus")
    subject = calculus["id"]
    plan = await create_plan(
        client,
        alice,
        sessions=[
            slot(26, 18, subject_id=subject),
            slot(27, 18, subject_id=subject),
            slot(28, 19, subject_id=subject),
        ],
    )
    pinned, loose, done = plan["sessions"]
    assert (await patch_session(client, alice, pinned["id"], pinned=True)).is_success
    assert (await patch_session(client, alice, done["id"], status="completed")).is_success

    response = await client.post(RESCHEDULE, json={}, headers=alice.headers)
    assert response.status_code == 202, response.text
    job = response.json()
    (request,) = await requests_in_outbox(running_app, job["id"])
    kept = {str(s.session_id): s for s in request.keep_sessions}
    assert set(kept) == {pinned["id"], done["id"]}
    assert kept[pinned["id"]].pinned is True
    assert kept[done["id"]].pinned is False
    assert (kept[pinned["id"]].starts_at, kept[pinned["id"]].ends_at) == (at(26, 18), at(26, 19))

    # The generator's plan: one session on Friday; the pinned Thursday one stays as it was.
    new = [planned(uuid.UUID(subject), at(27, 19))]
    await answer(running_app, settings, generated(request, new))
    finished = await wait_for(client, alice, job["id"], "completed")
    listed = await list_all(client, alice, SESSIONS, week="current")
    by_id = {s["id"]: s for s in listed}
    assert set(by_id) >= {pinned["id"], done["id"]}
    assert loose["id"] not in by_id
    again = by_id[pinned["id"]]
    assert (again["plan_id"], again["starts_at"], again["ends_at"], again["pinned"]) == (
        finished["plan_id"],
        pinned["starts_at"],
        pinned["ends_at"],
        True,
    )
    assert [s["starts_at"] for s in listed if s["source"] == "ai"] == ["2026-11-27T19:00:00Z"]
