"""The relay marks a row sent only after the broker confirmed it into a queue (tests 2 and 4)."""

import pytest
from sqlalchemy import select

from schediora_contracts import UserRegistered
from schediora_runtime import testing
from schediora_runtime.messaging.relay import OutboxRelay
from schediora_runtime.messaging.topology import declare_service_queue

from ..factories import effect_handler, record, user_registered


async def test_unroutable_event_stays_unsent_until_a_queue_is_bound(store, broker, tap):
    event_ids = [await record(store, user_registered(seq=seq)) for seq in range(10)]
    relay = OutboxRelay(store.engine, store.outbox, broker)

    # No queue is bound to the exchange: every attempt is returned by the broker, and the batch
    # stops at its first failure so that nothing behind the head overtakes it.
    for _ in range(3):
        assert await relay.relay_batch() == 0

    rows = await store.rows(store.outbox, store.outbox.c.id)
    assert [row.sent_at for row in rows] == [None] * 10
    assert [row.attempts for row in rows] == [3] + [0] * 9
    assert "NO_ROUTE" in rows[0].last_error

    received = await tap(UserRegistered.routing_key())
    assert await relay.relay_batch() == 10

    async def all_delivered() -> bool:
        return len(received) == 10

    await testing.eventually(all_delivered, timeout=10)
    assert received.ids == [str(event_id) for event_id in event_ids]
    assert await store.unsent() == 0


async def test_relay_crash_after_publish_republishes_and_the_consumer_applies_once(
    store, broker, rabbit, topology, start_consumer
):
    channel = await rabbit.channel()
    await declare_service_queue(channel, topology, [UserRegistered.routing_key()])
    event_id = await record(store)

    async def crash(row) -> None:
        raise RuntimeError("relay process died before marking the row sent")

    with pytest.raises(RuntimeError, match="relay process died"):
        await OutboxRelay(store.engine, store.outbox, broker, after_publish=crash).relay_batch()
    assert await store.unsent() == 1

    assert await OutboxRelay(store.engine, store.outbox, broker).relay_batch() == 1
    assert await store.unsent() == 0
    # The broker really holds two copies of the one event.
    declared = await channel.declare_queue(topology.queue, passive=True)
    assert declared.declaration_result.message_count == 2

    calls: list = []
    running = await start_consumer({UserRegistered: effect_handler(store, calls)})

    async def both_copies_handled() -> bool:
        return len(running.deliveries) == 2 and all(d.processed for d in running.deliveries)

    await testing.eventually(both_copies_handled, timeout=10)
    await running.consumer.stop()

    assert len(calls) == 1
    # After the consumer's channel closed nothing came back: both copies were acked.
    declared = await channel.declare_queue(topology.queue, passive=True)
    assert declared.declaration_result.message_count == 0
    assert await store.count(store.effects) == 1
    assert await store.count(store.processed_events) == 1
    async with store.engine.connect() as conn:
        assert await conn.scalar(select(store.effects.c.event_id)) == event_id
    dlq = await channel.declare_queue(topology.dead_letter_queue, passive=True)
    assert dlq.declaration_result.message_count == 0
