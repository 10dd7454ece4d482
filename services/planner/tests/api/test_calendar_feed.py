"""The iCal feed (docs/api.md: Calendar): the secret URL (create, rotate, read, revoke) and the
public `.ics` document, parsed back with `icalendar`."""

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar
from sqlalchemy import select

from planner.calendar.models import CalendarFeed

from .plan_factories import (
    at,
    create_plan,
    patch_session,
    slot,
    supersede,
)
from .test_subjects import assert_problem

FEED = "/api/v1/calendar/feed"


async def make_feed(client, user) -> dict:
    response = await client.post(FEED, headers=user.headers)
    assert response.status_code == 201, response.text
    return response.json()


def feed_path(feed: dict) -> str:
    return urlsplit(feed["url"]).path


def parse(response) -> Calendar:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def events_by_uid(calendar: Calendar) -> dict:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


async def test_a_feed_url_is_absolute_secret_and_only_its_hash_is_stored(
    client, alice, clock, running_app
):
    feed = await make_feed(client, alice)
    url = urlsplit(feed["url"])
    assert (url.scheme, url.netloc) == ("http", "127.0.0.1:8000")  # APP_BASE_URL's default
    assert url.path.startswith("/api/v1/calendar/feed/")
    assert url.path.endswith(".ics")
    token = url.path.removeprefix("/api/v1/calendar/feed/").removesuffix(".ics")
    assert len(token) >= 43  # 256 bits in URL-safe base64
    async with running_app.state.runtime.sessionmaker() as session:
        stored = await session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == alice.id))
    assert stored.token_hash == hashlib.sha256(token.encode()).digest()
    assert token.encode() not in stored.token_hash

    shown = await client.get(FEED, headers=alice.headers)
    assert shown.status_code == 200
    assert shown.json() == {"url": None, "created_at": feed["created_at"]}


async def test_the_feed_holds_the_active_plans_sessions_from_30_days_back(
    client, alice, bob, clock, running_app
):
    week = await create_plan(
        client,
        alice,
        sessions=[
            slot(24, 9, notes="Chapter 3"),
            slot(25, 18, 90),
            slot(26, 9),
            slot(27, 9),
        ],
    )
    planned, in_progress, skipped, completed = week["sessions"]
    clock.now = at(25, 18, 10)
    assert (await patch_session(client, alice, in_progress["id"], status="in_progress")).is_success
    assert (await patch_session(client, alice, skipped["id"], status="skipped")).is_success
    assert (await patch_session(client, alice, completed["id"], status="completed")).is_success
    clock.now = at(25, 12)
    gone = await create_plan(client, alice, week_start="2026-11-16", sessions=[slot(17, 9)])
    await supersede(running_app, gone["id"])
    await create_plan(client, bob, sessions=[slot(24, 9)])

    feed = await make_feed(client, alice)
    response = await client.get(feed_path(feed))
    calendar = parse(response)
    assert str(calendar["VERSION"]) == "2.0"
    assert "PRODID" in calendar
    assert calendar["REFRESH-INTERVAL"].dt == timedelta(hours=1)
    assert "X-PUBLISHED-TTL" in calendar
    events = events_by_uid(calendar)
    assert set(events) == {f"{s['id']}@schediora" for s in week["sessions"]}

    first = events[f"{planned['id']}@schediora"]
    assert first["DTSTART"].dt == at(24, 9)
    assert b"DTSTART:20261124T090000Z" in response.content  # UTC, not a local time
    assert first["DTEND"].dt == at(24, 10)
    assert str(first["SUMMARY"]) == "Study"
    assert "Chapter 3" in str(first["DESCRIPTION"])
    (alarm,) = first.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert alarm["TRIGGER"].dt == timedelta(minutes=-10)

    assert str(events[f"{skipped['id']}@schediora"]["STATUS"]) == "CANCELLED"
    for done in (in_progress, completed, skipped):
        assert events[f"{done['id']}@schediora"].walk("VALARM") == []


async def test_the_feed_reaches_30_days_back_and_no_further(client, alice, clock):
    # Now: Wed Nov 25 12:00Z. 30 days back: Oct 26 12:00Z.
    await create_plan(
        client,
        alice,
        week_start="2026-10-26",
        sessions=[
            {**slot(1, 0), "starts_at": "2026-10-26T10:00:00Z", "ends_at": "2026-10-26T11:00:00Z"},
            {**slot(1, 0), "starts_at": "2026-10-26T12:00:00Z", "ends_at": "2026-10-26T13:00:00Z"},
        ],
    )
    feed = await make_feed(client, alice)
    calendar = parse(await client.get(feed_path(feed)))
    starts = [e["DTSTART"].dt for e in calendar.walk("VEVENT")]
    assert starts == [datetime(2026, 10, 26, 12, tzinfo=UTC)]


@pytest.mark.parametrize(("alarm", "trigger"), [("0", timedelta(0)), ("1440", -timedelta(days=1))])
async def test_the_alarm_is_minutes_before_or_none(client, alice, clock, alarm, trigger):
    await create_plan(client, alice, sessions=[slot(26, 9)])
    path = feed_path(await make_feed(client, alice))
    (event,) = parse(await client.get(path, params={"alarm": alarm})).walk("VEVENT")
    (valarm,) = event.walk("VALARM")
    assert valarm["TRIGGER"].dt == trigger
    (event,) = parse(await client.get(path, params={"alarm": "none"})).walk("VEVENT")
    assert event.walk("VALARM") == []


@pytest.mark.parametrize("alarm", ["-1", "1441", "ten", "", "\uff11\uff10"])
async def test_a_bad_alarm_is_a_422(client, alice, clock, alarm):
    path = feed_path(await make_feed(client, alice))
    response = await client.get(path, params={"alarm": alarm})
    body = assert_problem(response, 422, "validation_error")
    assert body["errors"][0]["loc"] == ["query", "alarm"]


async def test_etag_and_last_modified_let_a_calendar_app_poll_cheaply(client, alice, clock):
    plan = await create_plan(client, alice, sessions=[slot(26, 9)])
    path = feed_path(await make_feed(client, alice))
    first = await client.get(path)
    etag = first.headers["etag"]
    assert etag.startswith('"')
    assert etag.endswith('"')
    assert parsedate_to_datetime(first.headers["last-modified"]).tzinfo is not None
    again = await client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert (await client.get(path, headers={"If-None-Match": f'W/{etag}, "x"'})).status_code == 304
    assert (await client.get(path, headers={"If-None-Match": '"other"'})).status_code == 200
    # Another alarm is another document.
    assert (await client.get(path, params={"alarm": "none"})).headers["etag"] != etag

    response = await patch_session(client, alice, plan["sessions"][0]["id"], title="Moved")
    assert response.status_code == 200
    changed = await client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    (event,) = parse(changed).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Moved"


async def test_rotation_and_revocation_make_the_old_url_a_404(client, alice, clock):
    first = await make_feed(client, alice)
    assert (await client.get(feed_path(first))).status_code == 200
    second = await make_feed(client, alice)
    assert second["url"] != first["url"]
    assert_problem(await client.get(feed_path(first)), 404, "not_found")
    assert (await client.get(feed_path(second))).status_code == 200

    assert (await client.delete(FEED, headers=alice.headers)).status_code == 204
    assert_problem(await client.get(feed_path(second)), 404, "not_found")
    assert_problem(await client.get(FEED, headers=alice.headers), 404, "no_feed")
    assert_problem(await client.delete(FEED, headers=alice.headers), 404, "no_feed")


async def test_an_unknown_token_is_a_404_and_the_feed_needs_no_authorization(client, alice, clock):
    for token in ("x", uuid.uuid4().hex, "A" * 43):
        assert_problem(await client.get(f"{FEED}/{token}.ics"), 404, "not_found")
    path = feed_path(await make_feed(client, alice))
    # A token of some other user in the header changes nothing: the path's token decides.
    assert (await client.get(path, headers={"Authorization": "Bearer nonsense"})).status_code == 200
    assert (await client.get(path)).status_code == 200


async def test_the_feed_routes_of_the_owner_need_a_token(client):
    for method in ("GET", "POST", "DELETE"):
        response = await client.request(method, FEED)
        assert_problem(response, 401, "invalid_token")


async def test_each_user_sees_only_their_own_feed(client, alice, bob, clock):
    await create_plan(client, alice, sessions=[slot(26, 9)])
    await create_plan(client, bob, sessions=[slot(26, 11)])
    alices = parse(await client.get(feed_path(await make_feed(client, alice))))
    bobs = parse(await client.get(feed_path(await make_feed(client, bob))))
    assert [e["DTSTART"].dt.hour for e in alices.walk("VEVENT")] == [9]
    assert [e["DTSTART"].dt.hour for e in bobs.walk("VEVENT")] == [11]
