"""Queries on feeds and busy times, always scoped by the owner (or, for the public feed, by the
token's hash); never commits."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from psycopg.rows import dict_row
from sqlalchemy import delete, func, insert, select
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.ext.asyncio import AsyncSession

from planner.calendar.domain import Occurrence
from planner.calendar.models import BusyCalendar, BusyOccurrence, CalendarFeed


async def get_feed(session: AsyncSession, user_id: UUID) -> CalendarFeed | None:
    return await session.get(CalendarFeed, user_id)


async def put_feed(
    session: AsyncSession, user_id: UUID, token_hash: bytes, created_at: datetime
) -> None:
    """Create the user's feed, or replace its token (the old one stops matching at once)."""
    statement = upsert(CalendarFeed).values(
        user_id=user_id, token_hash=token_hash, created_at=created_at
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[CalendarFeed.user_id],
            set_={"token_hash": statement.excluded.token_hash, "created_at": created_at},
        )
    )


async def delete_feed(session: AsyncSession, user_id: UUID) -> bool:
    result = await session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


FEED_COLUMNS = ("id", "title", "starts_at", "ends_at", "status", "notes", "rationale", "updated_at")
# Sessions are at most 8 hours long: bounding `starts_at` too lets the (user_id, starts_at)
# index find them.
_FEED = (
    "SELECT f.created_at AS feed_created_at, "  # noqa: S608 - fixed column names only
    + ", ".join(f"s.{c}" for c in FEED_COLUMNS)
    + """
    FROM calendar_feeds AS f
    LEFT JOIN study_sessions AS s
      ON s.user_id = f.user_id AND s.active
     AND s.starts_at >= %(since)s - interval '8 hours' AND s.ends_at >= %(since)s
    WHERE f.token_hash = %(token_hash)s
    ORDER BY s.starts_at, s.id
"""
)


async def read_feed(
    connection: AsyncConnection, token_hash: bytes, since: datetime
) -> tuple[datetime, list[dict[str, Any]]] | None:
    """The feed's creation and the sessions of its user's active plans that end at or after
    `since`, by start; None for a token no feed has."""
    cursor = connection.cursor(row_factory=dict_row)
    await cursor.execute(_FEED, {"token_hash": token_hash, "since": since})
    rows = await cursor.fetchall()
    if not rows:
        return None
    sessions = [{c: row[c] for c in FEED_COLUMNS} for row in rows if row["id"] is not None]
    return rows[0]["feed_created_at"], sessions


async def replace_busy(
    session: AsyncSession,
    user_id: UUID,
    *,
    events: int,
    occurrences: Sequence[Occurrence],
    updated_at: datetime,
) -> None:
    """The user's timetable becomes this one: the old occurrences go (cascade), these come."""
    await session.execute(delete(BusyCalendar).where(BusyCalendar.user_id == user_id))
    session.add(
        BusyCalendar(
            user_id=user_id, events=events, occurrences=len(occurrences), updated_at=updated_at
        )
    )
    await session.flush()
    if occurrences:
        await session.execute(
            insert(BusyOccurrence),
            [
                {
                    "user_id": user_id,
                    "starts_at": o.starts_at,
                    "ends_at": o.ends_at,
                    "summary": o.summary,
                }
                for o in occurrences
            ],
        )


async def delete_busy(session: AsyncSession, user_id: UUID) -> None:
    await session.execute(delete(BusyCalendar).where(BusyCalendar.user_id == user_id))


async def busy_between(
    session: AsyncSession, user_id: UUID, start: datetime, end: datetime
) -> Sequence[BusyOccurrence]:
    """Occurrences that overlap `[start, end)`, by start."""
    statement = (
        select(BusyOccurrence)
        .where(
            BusyOccurrence.user_id == user_id,
            BusyOccurrence.starts_at < end,
            BusyOccurrence.ends_at > start,
        )
        .order_by(BusyOccurrence.starts_at, BusyOccurrence.ends_at)
    )
    return (await session.scalars(statement)).all()


async def count_busy_between(
    session: AsyncSession, user_id: UUID, start: datetime, end: datetime
) -> int:
    statement = select(func.count()).where(
        BusyOccurrence.user_id == user_id,
        BusyOccurrence.starts_at < end,
        BusyOccurrence.ends_at > start,
    )
    return await session.scalar(statement) or 0
