"""Idempotent consumption: an event id is claimed in the same transaction as its effects."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import Column, DateTime, MetaData, String, Table, delete, func, literal
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

PROCESSED_EVENTS_TABLE = "processed_events"


def processed_events_table(metadata: MetaData) -> Table:
    return Table(
        PROCESSED_EVENTS_TABLE,
        metadata,
        Column("event_id", PG_UUID(as_uuid=True), primary_key=True),
        Column("event_type", String(100), nullable=False),
        Column(
            "processed_at",
            DateTime(timezone=True),
            nullable=False,
            server_default=func.now(),
            index=True,
        ),
    )


async def claim_event(
    session: AsyncSession, processed_events: Table, event_id: UUID, event_type: str
) -> bool:
    """True if this transaction is the first to process `event_id`.

    A concurrent claim of the same id waits on the unique key until the first transaction ends,
    then finds the row: exactly one of two racing consumers applies the event.
    """
    result = await session.execute(
        insert(processed_events)
        .values(event_id=event_id, event_type=event_type)
        .on_conflict_do_nothing(index_elements=[processed_events.c.event_id])
        .returning(literal(True))
    )
    return result.scalar() is not None


async def purge_processed_events(
    session: AsyncSession,
    processed_events: Table,
    retention_days: int,
    *,
    keep_since: datetime | None = None,
) -> int:
    """Forget event ids older than the retention period, and never one processed since
    `keep_since`: the time the oldest replayable dead letter was written (see
    `schediora_runtime.dlq.oldest_event_time`). Any earlier copy of a dead-lettered event was
    processed after it was written, so its id outlives the dead letter and a replay of it is
    dropped as a duplicate, however long the DLQ waited. Business keys still refuse a second
    write past that.
    """
    cutoff = func.now() - func.make_interval(0, 0, 0, retention_days)
    if keep_since is not None:
        cutoff = func.least(cutoff, keep_since)
    result = await session.execute(
        delete(processed_events).where(processed_events.c.processed_at < cutoff)
    )
    return result.rowcount or 0
