"""Isolation across the whole planner API: every route that takes an id answers 404 for
another user's id exactly as for an unknown one, and no read ever shows another user's rows.
The route lists are checked against the app, so a new route cannot be left out."""

import re
import uuid

import pytest

from .factories import SUBJECTS, create_subject
from .job_factories import GENERATE
from .plan_factories import EVENINGS, PLANS, SESSIONS, create_plan, set_preferences, slot
from .test_subjects import assert_problem

# (method, path template) → a body that would be valid for the owner.
ID_ROUTES = {
    ("GET", "/api/v1/plans/{plan_id}"): None,
    ("GET", "/api/v1/ai/jobs/{job_id}"): None,
    ("GET", "/api/v1/ai/jobs/{job_id}/events"): None,
    ("PATCH", "/api/v1/sessions/{session_id}"): {"status": "completed"},
    ("PATCH", "/api/v1/subjects/{subject_id}"): {"name": "Taken over"},
    ("DELETE", "/api/v1/subjects/{subject_id}"): None,
}
NOT_USER_DATA = {"/health/live", "/health/ready"}
RANDOM_IDS = 100
# Routes whose path holds a secret rather than an id (test_calendar_feed.py covers them).
SECRET_ROUTES = {("GET", "/api/v1/calendar/feed/{token}.ics")}
FEED = "/api/v1/calendar/feed"
BUSY = "/api/v1/calendar/busy"
BOBS_TIMETABLE = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Uni//EN\r\nBEGIN:VEVENT\r\nUID:b@uni\r\n"
    b"DTSTAMP:20261101T000000Z\r\nDTSTART:20261124T080000Z\r\nDTEND:20261124T090000Z\r\n"
    b"SUMMARY:Bob's lecture\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def _routes(app) -> set[tuple[str, str]]:
    """Every operation the app documents, as (method, path template)."""
    return {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }


@pytest.fixture
async def bobs_data(client, bob, clock, running_app) -> dict[str, str]:
    """Bob's subject, current plan and session, and his job for next week: the rows Alice
    must never reach."""
    await set_preferences(running_app, bob, "UTC", "monday", EVENINGS)
    subject = await create_subject(client, bob, "Bob's private subject")
    plan = await create_plan(
        client, bob, title="Bob's plan", sessions=[slot(24, 9, 60, subject_id=subject["id"])]
    )
    job = await client.post(GENERATE, json={"week_start": "2026-11-30"}, headers=bob.headers)
    assert (await client.post(FEED, headers=bob.headers)).status_code == 201
    busy = await client.put(
        BUSY, content=BOBS_TIMETABLE, headers=bob.headers | {"Content-Type": "text/calendar"}
    )
    assert busy.status_code == 200, busy.text
    return {
        "subject_id": subject["id"],
        "plan_id": plan["id"],
        "session_id": plan["sessions"][0]["id"],
        "job_id": job.json()["id"],
    }


def test_every_route_that_takes_an_id_is_in_the_matrix(running_app):
    with_ids = {(method, path) for method, path in _routes(running_app) if "{" in path}
    assert with_ids == set(ID_ROUTES) | SECRET_ROUTES


@pytest.mark.parametrize(("method", "template"), sorted(ID_ROUTES))
async def test_another_users_id_is_a_404_like_an_unknown_id(
    client, alice, bob, bobs_data, method, template
):
    body = ID_ROUTES[(method, template)]
    theirs = template.format(**bobs_data)
    unknown = template.format(**{name: str(uuid.uuid4()) for name in bobs_data})
    answers = [
        await client.request(method, url, json=body, headers=alice.headers)
        for url in (theirs, unknown)
    ]
    details = {assert_problem(answer, 404, "not_found")["detail"] for answer in answers}
    assert len(details) == 1
    # Bob's rows are as they were.
    plan = (await client.get(f"{PLANS}/{bobs_data['plan_id']}", headers=bob.headers)).json()
    assert plan["sessions"][0]["status"] == "planned"
    subjects = (await client.get(SUBJECTS, headers=bob.headers)).json()["items"]
    assert [s["name"] for s in subjects] == ["Bob's private subject"]


@pytest.mark.parametrize(("method", "template"), sorted(ID_ROUTES))
async def test_a_hundred_random_ids_are_each_the_same_404(client, alice, clock, method, template):
    body = ID_ROUTES[(method, template)]
    names = [name[1:-1] for name in re.findall(r"\{[^}]+\}", template)]
    answers = [
        await client.request(
            method,
            template.format(**{name: str(uuid.uuid4()) for name in names}),
            json=body,
            headers=alice.headers,
        )
        for _ in range(RANDOM_IDS)
    ]
    details = {assert_problem(answer, 404, "not_found")["detail"] for answer in answers}
    assert len(details) == 1


async def test_no_read_shows_another_users_rows(client, alice, bob, bobs_data, running_app):
    await create_plan(client, alice, week_start="2026-11-16")
    reads = sorted(
        path
        for method, path in _routes(running_app)
        if method == "GET" and "{" not in path and path not in NOT_USER_DATA
    )
    assert reads == [
        "/api/v1/ai/plans/status/weekly",
        BUSY,
        FEED,
        "/api/v1/dashboard/summary",
        PLANS,
        "/api/v1/plans/current",
        SESSIONS,
        SUBJECTS,
    ]
    queries = {
        SESSIONS: {"week": "all"},
        "/api/v1/dashboard/summary": {"range": "30d"},
        "/api/v1/ai/plans/status/weekly": {"week_start": "2026-11-30"},
    }
    for path in reads:
        mine = await client.get(path, params=queries.get(path), headers=alice.headers)
        assert mine.status_code in (200, 404), (path, mine.text)
        leaked = [value for value in bobs_data.values() if value in mine.text]
        assert leaked == [], path
        assert "Bob's" not in mine.text, path
        # The same read as Bob does show his rows: the check above can fail.
        his = await client.get(path, params=queries.get(path), headers=bob.headers)
        if path == FEED:  # no name or id in a feed's answer: Alice has none, Bob has his
            assert (mine.status_code, his.status_code) == (404, 200)
            continue
        assert "Bob's" in his.text or any(value in his.text for value in bobs_data.values()), path
