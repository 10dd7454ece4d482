"""Inbox retention tied to the dead-letter queue (docs/reliability.md, item 39): processed event
ids are kept a week at least, and as long as an older event waits in the DLQ, so a replay of it
always meets its id and is dropped as a duplicate."""

import uuid
from datetime import UTC, datetime, timedelta

import aio_pika
import pytest
from pydantic import ValidationError
from sqlalchemy import update

from schediora_runtime import dlq
from schediora_runtime.messaging.codec import encode, wrap
from schediora_runtime.messaging.inbox import claim_event, purge_processed_events
from schediora_runtime.messaging.topology import declare_exchange, declare_service_queue
from schediora_runtime.settings import MINIMUM_RETENTION_DAYS, ServiceSettings
from schediora_testkit import testing

from ..factories import PRODUCER, user_registered

RETENTION_DAYS = 7


def test_the_retention_is_a_week_at_least():
    base = {
        "service_name": "retention",
        "port": 9999,
        "database_url": testing.database_url("auth"),
        "database_schema": "auth",
    }
    assert MINIMUM_RETENTION_DAYS == 7
    assert ServiceSettings(**base).retention_days == 7
    with pytest.raises(ValidationError):
        ServiceSettings(**base, retention_days=6)


async def _dead_letter(rabbit, topology, *bodies: tuple[str, bytes]) -> None:
    """Publish each (message id, body) to the service queue and reject it: the broker moves it
    to the DLQ, as a consumer giving up on it would."""
    routing_key = "auth.user_registered.v1"
    channel = await rabbit.channel(publisher_confirms=True)
    queue = await declare_service_queue(channel, topology, [routing_key])
    exchange = await declare_exchange(channel, topology)
    for message_id, body in bodies:
        await exchange.publish(
            aio_pika.Message(body, message_id=message_id, delivery_mode=2), routing_key=routing_key
        )
    for _ in bodies:
        await (await queue.get(timeout=5)).reject(requeue=False)
    await channel.close()

    async def all_dead() -> bool:
        return len(await dlq.browse(rabbit, topology.queue)) == len(bodies)

    await testing.eventually(all_dead, timeout=10)


async def _processed(store, **ages_in_days: float) -> dict[str, uuid.UUID]:
    """Claim one event id per name, processed that many days ago."""
    ids = {name: uuid.uuid4() for name in ages_in_days}
    async with store.sessionmaker() as session, session.begin():
        for name, event_id in ids.items():
            await claim_event(session, store.processed_events, event_id, "t.e")
            await session.execute(
                update(store.processed_events)
                .where(store.processed_events.c.event_id == event_id)
                .values(processed_at=datetime.now(UTC) - timedelta(days=ages_in_days[name]))
            )
    return ids


async def _purge(store, keep_since: datetime | None) -> int:
    async with store.sessionmaker() as session, session.begin():
        return await purge_processed_events(
            session, store.processed_events, RETENTION_DAYS, keep_since=keep_since
        )


async def _remembered(store) -> set[uuid.UUID]:
    return {row.event_id for row in await store.rows(store.processed_events)}


async def test_ids_are_kept_while_an_older_event_waits_in_the_dead_letter_queue(
    store, rabbit, topology
):
    written = datetime.now(UTC) - timedelta(days=10)
    envelope = wrap(user_registered(), producer=PRODUCER).model_copy(
        update={"occurred_at": written}
    )
    await _dead_letter(
        rabbit,
        topology,
        (str(envelope.event_id), encode(envelope)),
        (str(uuid.uuid4()), b"not an envelope: never applied, nothing to remember"),
    )
    ids = await _processed(store, before_it=12, after_it=9, recent=1)

    oldest = await dlq.oldest_event_time(rabbit, topology.queue)
    assert oldest == written
    # Past the 7 days, but processed after the dead letter was written: kept.
    assert await _purge(store, keep_since=oldest) == 1
    assert await _remembered(store) == {ids["after_it"], ids["recent"]}
    # Looking consumed nothing.
    assert len(await dlq.browse(rabbit, topology.queue)) == 2

    # Once the dead letter is gone (dropped, or replayed and applied), the week applies again.
    await dlq.drop(rabbit, topology.queue, None)
    assert await dlq.oldest_event_time(rabbit, topology.queue) is None
    assert await _purge(store, keep_since=None) == 1
    assert await _remembered(store) == {ids["recent"]}


async def test_a_dead_letter_queue_too_long_to_read_whole_gives_no_answer(store, rabbit, topology):
    envelopes = [wrap(user_registered(), producer=PRODUCER) for _ in range(3)]
    await _dead_letter(rabbit, topology, *((str(e.event_id), encode(e)) for e in envelopes))
    with pytest.raises(dlq.TooManyDeadLetters):
        await dlq.oldest_event_time(rabbit, topology.queue, limit=2)
    assert await dlq.oldest_event_time(rabbit, topology.queue, limit=3) == min(
        e.occurred_at for e in envelopes
    )
