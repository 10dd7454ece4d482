"""The relay marks a row sent only after the broker confirmed it into a queue (tests 2 and 4)."""

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from schediora_contracts import UserPreferencesUpdated, UserRegistered
from schediora_contracts.common import Preferences
from schediora_runtime.messaging.relay import OutboxRelay
from schediora_runtime.messaging.topology import declare_service_queue
from schediora_testkit import testing

from ..factories import effect_handler, record, user_registered


def preferences_updated(user_id: uuid.UUID) -> UserPreferencesUpdated:
    return UserPreferencesUpdated(
        user_id=user_id,
        preferences=Preferences(
            timezone="UTC",
            week_starts_on="monday",
            daily_goal_minutes=60,
            session_minutes=30,
            break_minutes=5,
            availability=(),
            preferred_time_of_day="any",
        ),
        updated_at=datetime.now(UTC),
    )


async def test_unroutable_event_stays_unsent_until_a_queue_is_bound(store, broker, tap):
    # Two users' events, interleaved: a0 b0 a1 b1 ...
    users = [uuid.uuid4(), uuid.uuid4()]
    event_ids = [await record(store, user_registered(users[seq % 2], seq=seq)) for seq in range(10)]
    relay = OutboxRelay(store.engine, store.outbox, broker)

    # No queue is bound to the exchange: every attempt is returned by the broker. Each user's
    # first event is tried (they go out together) and nothing behind them overtakes them.
    for _ in range(3):
        assert await relay.relay_batch() == 0

    rows = await store.rows(store.outbox, store.outbox.c.id)
    assert [row.sent_at for row in rows] == [None] * 10
    assert [row.attempts for row in rows] == [3, 3] + [0] * 8
    assert "NO_ROUTE" in rows[0].last_error

    received = await tap(UserRegistered.routing_key())
    assert await relay.relay_batch() == 10

    async def all_delivered() -> bool:
        return len(received) == 10

    await testing.eventually(all_delivered, timeout=10)
    assert sorted(received.ids) == sorted(str(event_id) for event_id in event_ids)
    for user in users:
        sequences = [seq for aggregate, seq in received.sequences() if aggregate == str(user)]
        assert sequences == sorted(sequences)
    assert await store.unsent() == 0


async def test_a_refused_event_holds_back_its_aggregate_and_not_what_went_out_beside_it(
    store, broker, tap
):
    """One window: a's first event is refused (nothing is bound to its routing key) while b's,
    published beside it, is confirmed and marked sent; a's next event waits behind the refused
    one, whose retry comes first."""
    a, b = uuid.uuid4(), uuid.uuid4()
    received = await tap(UserRegistered.routing_key())
    refused = await record(store, preferences_updated(a))
    went_out = await record(store, user_registered(b, seq=0))
    held_back = [await record(store, user_registered(a, seq=1))]
    held_back.append(await record(store, user_registered(b, seq=1)))
    relay = OutboxRelay(store.engine, store.outbox, broker)

    assert await relay.relay_batch() == 1
    assert await relay.relay_batch() == 0

    async def delivered() -> bool:
        return len(received) == 1

    await testing.eventually(delivered, timeout=10)
    assert received.ids == [str(went_out)]
    rows = {row.event_id: row for row in await store.rows(store.outbox, store.outbox.c.id)}
    assert rows[refused].attempts == 2
    assert rows[refused].sent_at is None
    assert rows[went_out].sent_at is not None
    assert [rows[event_id].attempts for event_id in held_back] == [0, 0]


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


async def test_a_commit_during_a_batch_is_relayed_by_the_next_batch_without_a_poll(
    store, broker, tap
):
    """The wake-up of a commit that lands while a batch runs (too late for its snapshot) is
    kept, so the next batch starts at once; the poll interval here is an hour."""
    received = await tap(UserRegistered.routing_key())
    in_batch, release = asyncio.Event(), asyncio.Event()

    async def hold_the_batch(row) -> None:
        in_batch.set()
        await release.wait()

    relay = OutboxRelay(
        store.engine, store.outbox, broker, poll_interval=3600, after_publish=hold_the_batch
    )
    await relay.start()
    try:
        first = await record(store)
        relay.wake()
        await asyncio.wait_for(in_batch.wait(), timeout=10)
        second = await record(store)
        relay.wake()
        release.set()

        async def both_delivered() -> bool:
            return len(received) == 2

        await testing.eventually(both_delivered, timeout=30)
        assert received.ids == [str(first), str(second)]
    finally:
        await relay.stop()
