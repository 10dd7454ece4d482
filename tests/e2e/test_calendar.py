"""The Calendar rows of the API end to end, through the gateway, the four services as processes:
sessions by date range; the feed (create, read, the public .ics without Authorization, 304,
rotate, revoke); busy times (415, 422, upload, list, delete) and a generated week that keeps
clear of them; a pinned session that a reschedule keeps exactly."""

import asyncio
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest
from icalendar import Calendar

from .isolated import isolated_stack
from .students import Student, preferences

pytestmark = pytest.mark.e2e

TIMEZONE = "Europe/Berlin"
ICS = {"Content-Type": "text/calendar"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with isolated_stack(tmp_path_factory.mktemp("calendar-logs"), "calendar", {}) as stack:
        yield stack


@pytest.fixture
async def api(stack):
    async with httpx.AsyncClient(base_url=f"{stack.gateway}/api/v1", timeout=30) as client:
        yield client


def _week() -> tuple[str, date]:
    """A current week with at least a day left, at any time of the week (as test_plan_flow)."""
    today = datetime.now(ZoneInfo(TIMEZONE)).date()
    if today.weekday() == 6:
        return "sunday", today
    return "monday", today - timedelta(days=today.weekday())


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(TIMEZONE))
    return local.astimezone(UTC)


def _z(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def _student(api, starts_on: str, week_start: date) -> Student:
    """A student whose preferences the planner has (auth's event may still be on its way:
    wait until the planner's current week is the student's)."""
    student = await Student.register(api, "calendar")
    await student.set_preferences(preferences(timezone=TIMEZONE, week_starts_on=starts_on))
    await student.add_subject("Calculus", difficulty=4)
    deadline = time.monotonic() + 30
    while True:
        status = (await student.call("GET", "/ai/plans/status/weekly")).json()
        if status["week_start"] == week_start.isoformat():
            return student
        assert time.monotonic() < deadline, status
        await asyncio.sleep(0.1)


async def _rescheduled(student: Student) -> dict:
    """POST reschedule until the planner has the preferences (same Idempotency-Key)."""
    key = uuid.uuid4().hex
    deadline = time.monotonic() + 30
    while True:
        answer = await student.api.post(
            "/ai/plans/reschedule", json={}, headers=student.headers | {"Idempotency-Key": key}
        )
        if answer.status_code == 202:
            return answer.json()
        assert answer.json()["code"] == "onboarding_required", answer.text
        assert time.monotonic() < deadline
        await asyncio.sleep(0.1)


async def test_sessions_by_range_and_the_feed_through_the_gateway(api, stack):
    starts_on, week_start = _week()
    student = await _student(api, starts_on, week_start)
    tomorrow = datetime.now(ZoneInfo(TIMEZONE)).date() + timedelta(days=1)
    if (tomorrow - week_start).days > 6:
        tomorrow -= timedelta(days=1)
    body = {
        "week_start": week_start.isoformat(),
        "sessions": [
            {"title": "Read", "starts_at": _z(_at(tomorrow, 7)), "ends_at": _z(_at(tomorrow, 8))}
        ],
    }
    plan = await student.call("POST", "/plans", json=body)
    assert plan.status_code == 201, plan.text
    (session,) = plan.json()["sessions"]

    day = tomorrow.isoformat()
    listed = await student.call("GET", "/sessions", params={"from": day, "to": day})
    assert [s["id"] for s in listed.json()["items"]] == [session["id"]]
    wrong = await student.call("GET", "/sessions", params={"from": day, "week": "all"})
    assert wrong.json()["code"] == "invalid_date_range"

    assert (await student.call("GET", "/calendar/feed")).json()["code"] == "no_feed"
    made = await student.call("POST", "/calendar/feed")
    assert made.status_code == 201, made.text
    url = urlsplit(made.json()["url"])
    assert url.scheme in ("http", "https")
    assert url.path.startswith("/api/v1/calendar/feed/")
    shown = await student.call("GET", "/calendar/feed")
    assert shown.json() == {"url": None, "created_at": made.json()["created_at"]}

    # A calendar app: no Authorization header, only the secret URL.
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=30) as app:
        feed = await app.get(url.path)
        assert feed.status_code == 200, feed.text
        assert feed.headers["content-type"].startswith("text/calendar")
        (event,) = Calendar.from_ical(feed.content).walk("VEVENT")
        assert str(event["UID"]) == f"{session['id']}@schediora"
        assert (event["DTSTART"].dt, str(event["SUMMARY"])) == (_at(tomorrow, 7), "Read")
        (alarm,) = event.walk("VALARM")
        assert alarm["TRIGGER"].dt == timedelta(minutes=-10)
        assert "last-modified" in feed.headers
        cached = await app.get(url.path, headers={"If-None-Match": feed.headers["etag"]})
        assert cached.status_code == 304

        rotated = await student.call("POST", "/calendar/feed")
        assert (await app.get(url.path)).status_code == 404
        new_path = urlsplit(rotated.json()["url"]).path
        assert (await app.get(new_path, params={"alarm": "none"})).status_code == 200
        assert (await student.call("DELETE", "/calendar/feed")).status_code == 204
        assert (await app.get(new_path)).status_code == 404
    assert (await student.call("DELETE", "/calendar/feed")).json()["code"] == "no_feed"


def _timetable(first: date, days: int) -> bytes:
    """Classes every day 06:00-20:00 Berlin time from `first`, `days` times."""
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Uni//EN\r\nBEGIN:VEVENT\r\nUID:day@uni\r\n"
        "DTSTAMP:20261101T000000Z\r\nSUMMARY:Classes\r\n"
        f"DTSTART;TZID=Europe/Berlin:{first:%Y%m%d}T060000\r\n"
        f"DTEND;TZID=Europe/Berlin:{first:%Y%m%d}T200000\r\n"
        f"RRULE:FREQ=DAILY;COUNT={days}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


async def test_busy_times_through_the_gateway_and_a_generated_week_keeps_clear_of_them(api):
    starts_on, week_start = _week()
    student = await _student(api, starts_on, week_start)
    timetable = _timetable(week_start, 14)
    refused = await student.call("PUT", "/calendar/busy", content=timetable)
    assert refused.status_code == 415
    invalid = await student.api.put("/calendar/busy", content=b"no", headers=student.headers | ICS)
    assert (invalid.status_code, invalid.json()["code"]) == (422, "invalid_calendar")
    stored = await student.api.put(
        "/calendar/busy", content=timetable, headers=student.headers | ICS
    )
    assert stored.status_code == 200, stored.text
    assert stored.json()["events"] == 1
    assert stored.json()["occurrences_this_week"] == 7

    next_week = week_start + timedelta(days=7)
    busy = await student.call(
        "GET",
        "/calendar/busy",
        params={"from": next_week.isoformat(), "to": (next_week + timedelta(days=6)).isoformat()},
    )
    items = busy.json()["items"]
    assert len(items) == 7
    job = await student.generate_once_onboarded(next_week)
    done = await student.finished_job(job["id"])
    assert done["status"] == "completed", done
    plan = await student.call("GET", f"/plans/{done['plan_id']}")
    sessions = plan.json()["sessions"]
    assert sessions
    overlaps = [
        s
        for s in sessions
        for b in items
        if s["starts_at"] < b["ends_at"] and b["starts_at"] < s["ends_at"]
    ]
    assert overlaps == []

    assert (await student.call("DELETE", "/calendar/busy")).status_code == 204
    assert (await student.call("GET", "/calendar/busy")).json() == {"items": []}


async def test_a_reschedule_keeps_a_pinned_session_exactly(api):
    starts_on, week_start = _week()
    student = await _student(api, starts_on, week_start)
    last_day = week_start + timedelta(days=6)
    body = {
        "week_start": week_start.isoformat(),
        "sessions": [
            {"title": "Pinned", "starts_at": _z(_at(last_day, 9)), "ends_at": _z(_at(last_day, 10))}
        ],
    }
    created = await student.call("POST", "/plans", json=body)
    assert created.status_code == 201, created.text
    (pinned,) = created.json()["sessions"]
    patched = await student.call("PATCH", f"/sessions/{pinned['id']}", json={"pinned": True})
    assert patched.json()["pinned"] is True

    job = await _rescheduled(student)
    done = await student.finished_job(job["id"])
    assert done["status"] == "completed", done
    plan = (await student.call("GET", f"/plans/{done['plan_id']}")).json()
    kept = [s for s in plan["sessions"] if s["id"] == pinned["id"]]
    assert len(kept) == 1
    assert (kept[0]["starts_at"], kept[0]["ends_at"], kept[0]["pinned"]) == (
        pinned["starts_at"],
        pinned["ends_at"],
        True,
    )
    others = [s for s in plan["sessions"] if s["id"] != pinned["id"]]
    assert all(
        s["ends_at"] <= pinned["starts_at"] or s["starts_at"] >= pinned["ends_at"] for s in others
    )
