"""Small factories for the messaging tests: an event, an outbox row, a handler that records."""

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from schediora_contracts import EventEnvelope, UserRegistered
from schediora_runtime.messaging.outbox import record_event

PRODUCER = "runtime-tests"


def user_registered(user_id: UUID | None = None, seq: int = 0) -> UserRegistered:
    """An event of aggregate `user_id`; `seq` rides in display_name to check ordering."""
    return UserRegistered(
        user_id=user_id or uuid.uuid4(),
        email=f"user{seq}@example.com",
        display_name=str(seq),
        registered_at=datetime.now(UTC),
    )


async def record(store: Any, event: UserRegistered | None = None) -> UUID:
    """Write one event to the outbox in its own committed transaction."""
    async with store.sessionmaker() as session, session.begin():
        return await record_event(
            session, store.outbox, event or user_registered(), producer=PRODUCER
        )


async def write_effect(session: AsyncSession, store: Any, event_id: UUID, event: UserRegistered):
    await session.execute(
        insert(store.effects).values(
            event_id=event_id, aggregate_id=str(event.user_id), seq=int(event.display_name or 0)
        )
    )


Handler = Callable[[AsyncSession, UserRegistered, EventEnvelope], Awaitable[None]]


def effect_handler(store: Any, calls: list[UUID] | None = None) -> Handler:
    """A handler that writes one `effects` row per applied event and notes every call."""

    async def handle(session: AsyncSession, event: UserRegistered, envelope: EventEnvelope) -> None:
        if calls is not None:
            calls.append(envelope.event_id)
        await write_effect(session, store, envelope.event_id, event)

    return handle
