"""Busy times (docs/api.md: Calendar): upload a timetable as text/calendar, list its
occurrences, delete it; a plan request carries the week's busy occurrences to the generator."""

import asyncio

import pytest

from .factories import create_subject
from .job_factories import GENERATE, requests_in_outbox
from .plan_factories import EVENINGS, at, set_preferences
from .test_subjects import assert_problem

BUSY = "/api/v1/calendar/busy"
ICS = {"Content-Type": "text/calendar; charset=utf-8"}


def ics(*events: str) -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\nDTSTAMP:20261001T000000Z\r\n{e}END:VEVENT\r\n" for e in events)
    return (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Uni//EN\r\n{body}END:VCALENDAR\r\n".encode()
    )


# Tuesdays and Thursdays 18:00-19:30 Berlin time (17:00Z in November), all of November 2026.
LECTURES = ics(
    "UID:la@uni\r\nSUMMARY:Linear algebra\r\n"
    "DTSTART;TZID=Europe/Berlin:20261103T180000\r\nDTEND;TZID=Europe/Berlin:20261103T193000\r\n"
    "RRULE:FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20261130T230000Z\r\n"
)


async def put(client, user, body: bytes, headers=ICS):
    return await client.put(BUSY, content=body, headers=user.headers | headers)


async def test_an_uploaded_timetable_is_listed_by_week_or_range(client, alice, clock, running_app):
    await set_preferences(running_app, alice, "Europe/Berlin", "monday")
    response = await put(client, alice, LECTURES)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "events": 1,
        "occurrences_this_week": 2,  # Tue Nov 24 and Thu Nov 26
        "updated_at": "2026-11-25T12:00:00Z",
    }
    week = (await client.get(BUSY, headers=alice.headers)).json()["items"]
    assert week == [
        {
            "starts_at": "2026-11-24T17:00:00Z",
            "ends_at": "2026-11-24T18:30:00Z",
            "summary": "Linear algebra",
        },
        {
            "starts_at": "2026-11-26T17:00:00Z",
            "ends_at": "2026-11-26T18:30:00Z",
            "summary": "Linear algebra",
        },
    ]
    ranged = await client.get(
        BUSY, params={"from": "2026-11-01", "to": "2026-11-10"}, headers=alice.headers
    )
    assert [i["starts_at"][:10] for i in ranged.json()["items"]] == [
        "2026-11-03",
        "2026-11-05",
        "2026-11-10",
    ]


async def test_an_upload_replaces_the_previous_timetable_and_delete_forgets_it(
    client, alice, bob, clock
):
    assert (await put(client, alice, LECTURES)).status_code == 200
    assert (await put(client, bob, LECTURES)).status_code == 200
    other = ics(
        "UID:x@uni\r\nSUMMARY:Seminar\r\nDTSTART:20261125T080000Z\r\nDTEND:20261125T090000Z\r\n"
    )
    assert (await put(client, alice, other)).json()["occurrences_this_week"] == 1
    items = (await client.get(BUSY, headers=alice.headers)).json()["items"]
    assert [i["summary"] for i in items] == ["Seminar"]
    assert (await client.delete(BUSY, headers=alice.headers)).status_code == 204
    assert (await client.get(BUSY, headers=alice.headers)).json() == {"items": []}
    assert (await client.delete(BUSY, headers=alice.headers)).status_code == 204
    assert len((await client.get(BUSY, headers=bob.headers)).json()["items"]) == 2


@pytest.mark.parametrize(
    "headers",
    [{"Content-Type": "application/json"}, {"Content-Type": "text/plain"}, {}],
)
async def test_a_body_that_is_not_text_calendar_is_a_415(client, alice, clock, headers):
    response = await client.put(BUSY, content=LECTURES, headers=alice.headers | headers)
    assert_problem(response, 415, "unsupported_media_type")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"hello", "not_icalendar"),
        (b"", "not_icalendar"),
        (
            ics(
                "UID:x\r\nDTSTART:20261102T140000Z\r\nDTEND:20261102T150000Z\r\nRRULE:FREQ=WEEKLY\r\n"
            ),
            "unbounded_recurrence",
        ),
        (
            ics(
                *(
                    f"UID:{i}\r\nDTSTART:20261102T140000Z\r\nDTEND:20261102T150000Z\r\n"
                    for i in range(1001)
                )
            ),
            "too_many_events",
        ),
    ],
)
async def test_an_invalid_calendar_is_a_422_and_stores_nothing(client, alice, clock, body, reason):
    assert (await put(client, alice, LECTURES)).status_code == 200
    response = await put(client, alice, body)
    problem = assert_problem(response, 422, "invalid_calendar")
    assert problem["reason"] == reason
    # The previous timetable is untouched.
    assert len((await client.get(BUSY, headers=alice.headers)).json()["items"]) == 2


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-11-01"},
        {"from": "2026-11-10", "to": "2026-11-01"},
        {"from": "2026-01-01", "to": "2026-12-31"},
    ],
)
async def test_a_bad_range_is_a_422(client, alice, clock, params):
    response = await client.get(BUSY, params=params, headers=alice.headers)
    assert_problem(response, 422, "invalid_date_range")


async def test_the_busy_routes_need_a_token(client):
    for method in ("GET", "PUT", "DELETE"):
        assert_problem(await client.request(method, BUSY), 401, "invalid_token")


async def test_a_plan_request_carries_the_weeks_busy_occurrences(client, alice, clock, running_app):
    await set_preferences(running_app, alice, "Europe/Berlin", "monday", EVENINGS)
    await create_subject(client, alice, "Calculus")
    assert (await put(client, alice, LECTURES)).status_code == 200
    response = await client.post(GENERATE, json={}, headers=alice.headers)
    assert response.status_code == 202, response.text
    (request,) = await requests_in_outbox(running_app, response.json()["id"])
    assert [(b.starts_at, b.ends_at) for b in request.busy] == [
        (at(24, 17), at(24, 18, 30)),
        (at(26, 17), at(26, 18, 30)),
    ]
    nxt = await client.post(GENERATE, json={"week_start": "2026-11-30"}, headers=alice.headers)
    (request,) = await requests_in_outbox(running_app, nxt.json()["id"])
    assert request.busy == ()  # the lectures end with November


async def test_uploads_at_once_replace_the_timetable_one_after_the_other(client, alice, clock):
    other = ics(
        "UID:x@uni\r\nSUMMARY:Seminar\r\nDTSTART:20261125T080000Z\r\nDTEND:20261125T090000Z\r\n"
    )
    answers = await asyncio.gather(*(put(client, alice, b) for b in (LECTURES, other) * 3))
    assert [a.status_code for a in answers] == [200] * 6
    items = (await client.get(BUSY, headers=alice.headers)).json()["items"]
    assert [i["summary"] for i in items] in (["Linear algebra"] * 2, ["Seminar"])
