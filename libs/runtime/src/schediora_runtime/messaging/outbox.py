"""Transactional outbox: events are rows written in the same transaction as the state change."""

from typing import Any
from uuid import UUID

from opentelemetry import propagate
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    event,
    func,
    insert,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from schediora_contracts import Event
from schediora_runtime.messaging.codec import wrap

OUTBOX_TABLE = "outbox"
PENDING_KEY = "outbox_pending"
WAKE_RELAY_KEY = "wake_relay"


def outbox_table(metadata: MetaData) -> Table:
    """The outbox, in the publishing service's own schema. `id` orders publication."""
    return Table(
        OUTBOX_TABLE,
        metadata,
        Column("id", BigInteger, Identity(always=True), primary_key=True),
        Column("event_id", PG_UUID(as_uuid=True), nullable=False, unique=True),
        Column("event_type", String(100), nullable=False),
        Column("event_version", Integer, nullable=False),
        Column("routing_key", String(120), nullable=False),
        # The event's aggregate (`Event.aggregate`, e.g. the job id): the relay never has two
        # rows of one aggregate in flight at once, so each aggregate's events keep their order.
        Column("aggregate_id", String(64), nullable=False),
        Column("envelope", JSONB, nullable=False),
        Column("headers", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("sent_at", DateTime(timezone=True)),
        Column("attempts", Integer, nullable=False, server_default=text("0")),
        Column("last_error", Text),
        # The relay only ever scans unsent rows, in id order.
        Index("ix_outbox_unsent", "id", postgresql_where=text("sent_at IS NULL")),
    )


async def record_event(
    session: AsyncSession,
    outbox: Table,
    event: Event,
    *,
    producer: str,
    correlation_id: UUID | None = None,
    causation_id: UUID | None = None,
) -> UUID:
    """Add `event` to the outbox inside the caller's transaction; published only if it commits.

    `correlation_id` ties the events of one piece of work together (the planner uses the job
    id); `causation_id` is the id of the event being handled when this one was written (a
    consumer passes its envelope's `event_id`), and stays `None` for an event an HTTP request
    or a worker caused."""
    envelope = wrap(
        event, producer=producer, correlation_id=correlation_id, causation_id=causation_id
    )
    # The trace context of the state change travels with the event, so the relay's publish
    # span and the consumer's process span join the trace of the request that caused them.
    headers: dict[str, Any] = {}
    propagate.inject(headers)
    await session.execute(
        insert(outbox).values(
            event_id=envelope.event_id,
            event_type=envelope.type,
            event_version=envelope.version,
            routing_key=envelope.routing_key,
            aggregate_id=str(getattr(event, event.aggregate)),
            envelope=envelope.model_dump(mode="json"),
            headers=headers,
        )
    )
    session.info[PENDING_KEY] = True
    return envelope.event_id


@event.listens_for(Session, "after_commit")
def _wake_relay_after_commit(session: Session) -> None:
    if session.info.pop(PENDING_KEY, False) and (wake := session.info.get(WAKE_RELAY_KEY)):
        wake()


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_events(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)
