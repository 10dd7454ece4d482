"""A student with everything the planner keeps for one: the data of the isolation matrix
(docs/reliability.md, item 31) and of the response sweep (item 32).

Three plans with sessions: last week's manual plan, this week's manual plan superseded by a
reschedule (its sessions stay with it as history) and the rescheduled plan the AI made; two
subjects; two jobs (the completed reschedule and a generate for next week still queued); a
calendar feed and busy times."""

from dataclasses import dataclass, field

import httpx

from .factories import create_subject
from .job_factories import GENERATE, RESCHEDULE, answer, generated, planned, requests_in_outbox
from .plan_factories import EVENINGS, at, create_plan, set_preferences, slot
from .test_jobs import wait_for

FEED = "/api/v1/calendar/feed"
BUSY = "/api/v1/calendar/busy"
NEXT_WEEK = "2026-11-30"


def timetable(name: str) -> bytes:
    """A one-lecture iCalendar timetable whose summary names its owner."""
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Uni//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{name}@uni\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261124T080000Z\r\n"
        f"DTEND:20261124T090000Z\r\nSUMMARY:{name}'s lecture\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


@dataclass
class Owned:
    """The ids one student owns, by the path parameter that takes them, and their feed token."""

    name: str
    ids: dict[str, list[str]] = field(default_factory=dict)
    feed_token: str = ""

    def all_ids(self) -> list[str]:
        return [value for values in self.ids.values() for value in values]

    def first(self) -> dict[str, str]:
        """One id of each kind: how the student's own requests fill a path."""
        return {name: values[0] for name, values in self.ids.items()} | {"token": self.feed_token}


async def owned_data(client: httpx.AsyncClient, app, settings, user, name: str) -> Owned:
    """Give `user` three plans with sessions (one superseded), two subjects, two jobs, a feed and
    busy times; every title and name says `name`'s."""
    await set_preferences(app, user, "UTC", "monday", EVENINGS)
    subjects = [
        await create_subject(client, user, f"{name}'s {topic}") for topic in ("calculus", "history")
    ]
    subject_id = subjects[0]["id"]
    last_week = await create_plan(
        client,
        user,
        title=f"{name}'s last week",
        week_start="2026-11-16",
        sessions=[slot(17, 18, subject_id=subject_id), slot(18, 18, title=f"{name}'s reading")],
    )
    this_week = await create_plan(
        client,
        user,
        title=f"{name}'s week",
        sessions=[slot(24, 18, subject_id=subject_id), slot(26, 18, title=f"{name}'s reading")],
    )
    reschedule = await client.post(RESCHEDULE, json={"notes": f"{name}'s"}, headers=user.headers)
    assert reschedule.status_code == 202, reschedule.text
    job = reschedule.json()
    (request,) = await requests_in_outbox(app, job["id"])
    await answer(
        app,
        settings,
        generated(request, [planned(subject_id, at(27, 18), title=f"{name}'s revision")]),
    )
    rescheduled = await wait_for(client, user, job["id"], "completed")
    plan = (
        await client.get(f"/api/v1/plans/{rescheduled['plan_id']}", headers=user.headers)
    ).json()
    queued = await client.post(GENERATE, json={"week_start": NEXT_WEEK}, headers=user.headers)
    assert queued.status_code == 202, queued.text
    feed = await client.post(FEED, headers=user.headers)
    assert feed.status_code == 201, feed.text
    busy = await client.put(
        BUSY, content=timetable(name), headers=user.headers | {"Content-Type": "text/calendar"}
    )
    assert busy.status_code == 200, busy.text
    plans = [last_week, this_week, plan]
    return Owned(
        name=name,
        ids={
            "plan_id": [p["id"] for p in plans],
            "session_id": [s["id"] for p in plans for s in p["sessions"]],
            "subject_id": [s["id"] for s in subjects],
            "job_id": [job["id"], queued.json()["id"]],
        },
        feed_token=feed.json()["url"].rsplit("/", 1)[1].removesuffix(".ics"),
    )
