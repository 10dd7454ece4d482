"""Use cases of the calendar: the user's feed (create or rotate, read, revoke), the public feed
by its token, and busy times (upload, list, delete, and the intervals a plan request carries)."""

import asyncio
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from psycopg import AsyncConnection
from sqlalchemy.ext.asyncio import AsyncSession

from planner.calendar import repository
from planner.calendar.domain import (
    FEED_HISTORY,
    InvalidTimetable,
    build_feed,
    etag_matches,
    etag_of,
    feed_url,
    new_token,
    read_timetable,
    token_hash,
)
from planner.calendar.schemas import BusyItem, BusyList, BusySummary, Feed
from planner.errors import FeedNotFound, InvalidCalendar, NoFeed
from planner.users import service as users
from schediora_contracts.common import BusyInterval
from schediora_runtime.reads import Reads


async def create_feed(
    session: AsyncSession, user_id: UUID, *, now: datetime, base_url: str
) -> Feed:
    """A new secret URL for the user's feed; a previous one stops working."""
    token = new_token()
    await users.record_registration(session, user_id)
    await repository.put_feed(session, user_id, token_hash(token), now)
    return Feed(url=feed_url(base_url, token), created_at=now)


async def get_feed(session: AsyncSession, user_id: UUID) -> Feed:
    feed = await repository.get_feed(session, user_id)
    if feed is None:
        raise NoFeed("You have no calendar feed.")
    return Feed(url=None, created_at=feed.created_at)


async def delete_feed(session: AsyncSession, user_id: UUID) -> None:
    if not await repository.delete_feed(session, user_id):
        raise NoFeed("You have no calendar feed.")


@dataclass(frozen=True)
class FeedDocument:
    body: bytes | None
    """None when the client's `If-None-Match` names the current tag (answer 304)."""
    etag: str
    last_modified: datetime


async def read_feed(
    reads: Reads,
    token: str,
    *,
    alarm_minutes: int | None,
    now: datetime,
    if_none_match: str | None = None,
) -> FeedDocument:
    """The feed of the user whose token this is: their active plans' sessions that ended at
    most 30 days ago, and every later one. An unknown, rotated or revoked token is not found.
    A client that already has the current document gets no body (not even built)."""

    async def read(connection: AsyncConnection):  # type: ignore[no-untyped-def]
        return await repository.read_feed(connection, token_hash(token), now - FEED_HISTORY)

    found = await reads.run(read)
    if found is None:
        raise FeedNotFound("No such feed.")
    created_at, sessions = found
    etag = etag_of(sessions, alarm_minutes)
    last_modified = max([created_at, *(row["updated_at"] for row in sessions)])
    if etag_matches(if_none_match, etag):
        return FeedDocument(None, etag, last_modified)
    body = _built.get(etag)
    if body is None:
        body = build_feed(sessions, alarm_minutes)
        _built.put(etag, body)
    return FeedDocument(body, etag, last_modified)


class _Documents:
    """The last documents built, by tag (a tag names its content exactly, so a hit is the very
    document the rows would give). Calendar apps that poll without `If-None-Match` then cost a
    read, not a rebuild (`icalendar` takes about 25 ms for 60 events). Bounded; per process."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[str, bytes] = OrderedDict()

    def get(self, etag: str) -> bytes | None:
        body = self.items.get(etag)
        if body is not None:
            self.items.move_to_end(etag)
        return body

    def put(self, etag: str, body: bytes) -> None:
        self.items[etag] = body
        if len(self.items) > self.size:
            self.items.popitem(last=False)


_built = _Documents(512)


async def put_busy(
    session: AsyncSession, user_id: UUID, body: bytes, *, now: datetime
) -> BusySummary:
    """Replace the user's timetable with this iCalendar; nothing is stored when it is invalid."""
    user_calendar = await users.calendar(session, user_id)
    try:
        # Expanding a few thousand occurrences takes a while: off the event loop.
        timetable = await asyncio.to_thread(read_timetable, body, user_calendar.zone)
    except InvalidTimetable as exc:
        raise InvalidCalendar(exc.message, reason=exc.reason) from None
    # The user's row, locked: two uploads at once replace the timetable one after the other.
    await users.lock(session, user_id)
    await repository.replace_busy(
        session,
        user_id,
        events=timetable.events,
        occurrences=timetable.occurrences,
        updated_at=now,
    )
    start, end = user_calendar.window(user_calendar.current_week(now))
    this_week = sum(1 for o in timetable.occurrences if o.starts_at < end and o.ends_at > start)
    return BusySummary(events=timetable.events, occurrences_this_week=this_week, updated_at=now)


async def list_busy(
    session: AsyncSession, user_id: UUID, days: tuple[date, date] | None, *, now: datetime
) -> BusyList:
    """Busy occurrences that overlap the local days `days` (default: the current week)."""
    user_calendar = await users.calendar(session, user_id)
    if days is None:
        start, end = user_calendar.window(user_calendar.current_week(now))
    else:
        start, end = user_calendar.days(*days)
    rows = await repository.busy_between(session, user_id, start, end)
    return BusyList(
        items=[BusyItem(starts_at=r.starts_at, ends_at=r.ends_at, summary=r.summary) for r in rows]
    )


async def delete_busy(session: AsyncSession, user_id: UUID) -> None:
    await repository.delete_busy(session, user_id)


async def busy_intervals(
    session: AsyncSession, user_id: UUID, window: tuple[datetime, datetime]
) -> tuple[BusyInterval, ...]:
    """The busy occurrences a plan for `window` (a week) must keep clear of, for PlanRequested."""
    rows = await repository.busy_between(session, user_id, *window)
    return tuple(BusyInterval(starts_at=r.starts_at, ends_at=r.ends_at) for r in rows)
