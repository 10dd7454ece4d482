"""Auth's UserDeleted erases the user's calendar too: the feed (so its URL is a 404 at once)
and the busy times."""

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from planner.calendar import service as calendar
from planner.calendar.models import BusyCalendar, BusyOccurrence, CalendarFeed
from planner.errors import FeedNotFound
from schediora_contracts import UserDeleted
from schediora_runtime.database import transaction
from schediora_runtime.messaging.codec import wrap
from schediora_testkit import testing

NOW = datetime.now(UTC)
TIMETABLE = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Test//EN\r
BEGIN:VEVENT\r
UID:a@test\r
DTSTAMP:20261101T000000Z\r
DTSTART:20261124T090000Z\r
DTEND:20261124T103000Z\r
SUMMARY:Lecture\r
END:VEVENT\r
END:VCALENDAR\r
"""


async def _count(app, model, user_id) -> int:
    async with app.state.runtime.sessionmaker() as session:
        return await session.scalar(
            select(func.count()).select_from(model).where(model.user_id == user_id)
        )


async def test_deleting_the_account_erases_the_feed_and_the_busy_times(settings, running_app):
    user_id = uuid.uuid4()
    async for session in transaction(running_app.state.runtime.sessionmaker):
        feed = await calendar.create_feed(session, user_id, now=NOW, base_url="http://x")
        await calendar.put_busy(session, user_id, TIMETABLE, now=NOW)
    token = feed.url.rsplit("/", 1)[1].removesuffix(".ics")
    reads = running_app.state.runtime.reads
    await calendar.read_feed(reads, token, alarm_minutes=10, now=NOW)
    for model in (CalendarFeed, BusyCalendar, BusyOccurrence):
        assert await _count(running_app, model, user_id) == 1

    envelope = wrap(UserDeleted(user_id=user_id, deleted_at=NOW), producer="auth")
    await testing.publish(settings.rabbitmq_url, settings.events_exchange, envelope)

    async def erased() -> bool:
        counts = [await _count(running_app, m, user_id) for m in (CalendarFeed, BusyCalendar)]
        return counts == [0, 0]

    await testing.eventually(erased)
    assert await _count(running_app, BusyOccurrence, user_id) == 0
    with pytest.raises(FeedNotFound):
        await calendar.read_feed(reads, token, alarm_minutes=10, now=NOW)
