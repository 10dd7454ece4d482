"""Events written while RabbitMQ is down wait in the outbox and go out once it is back."""

import asyncio
import time
import uuid

import pytest

from schediora_contracts import UserRegistered
from schediora_runtime.messaging.broker import Broker
from schediora_runtime.messaging.outbox import record_event
from schediora_runtime.messaging.relay import OutboxRelay
from schediora_runtime.messaging.topology import declare_service_queue
from schediora_testkit import testing

from ..factories import PRODUCER, effect_handler, record, user_registered


async def test_an_event_written_while_the_broker_is_down_is_relayed_after_it_returns(
    store, broker, rabbit, topology, start_consumer
):
    channel = await rabbit.channel()
    await declare_service_queue(channel, topology, [UserRegistered.routing_key()])
    await rabbit.close()
    relay = OutboxRelay(store.engine, store.outbox, broker, poll_interval=0.2)
    await relay.start()
    calls: list = []
    try:
        async with testing.broker_stopped():

            async def disconnected() -> bool:
                return not broker.is_connected

            await testing.eventually(disconnected, timeout=10)
            event_id = await record(store)
            relay.wake()
            # A consumer (re)started during the outage must not give up either.
            consumer = asyncio.create_task(
                start_consumer({UserRegistered: effect_handler(store, calls)})
            )
            await asyncio.sleep(1.0)
            assert await store.unsent() == 1
            assert not broker.is_connected
            back = time.monotonic()  # start_app is issued as the block ends

        async def relayed_and_applied() -> bool:
            return await store.unsent() == 0 and await store.count(store.effects) == 1

        # The Broker reconnects by itself (every 2 s); neither relay nor consumer is restarted.
        await testing.eventually(relayed_and_applied, timeout=20)
        recovery = time.monotonic() - back
        await asyncio.wait_for(consumer, timeout=10)
    finally:
        await relay.stop()

    print(f"FIGURES outage: relayed and applied {recovery:.2f}s after start_app was issued")
    assert broker.is_connected
    assert calls == [event_id]
    assert await store.count(store.processed_events) == 1
    assert recovery < 15


AGGREGATES, PER_AGGREGATE = 50, 10  # 500 rows; windows of 50 (no two of one aggregate)


@pytest.mark.slow
async def test_a_500_row_batch_cut_after_100_confirms_loses_nothing_and_repeats_little(
    store, topology, start_consumer
):
    """docs/reliability.md, item 4: the relay's connection is force-closed by the broker once
    about 100 rows of a 500-row batch are confirmed, while later windows are in flight. The
    relay marks what was confirmed, the Broker reconnects by itself, the rest goes out: 0 rows
    unsent, 500 distinct ids delivered with at most one window (50) twice, each applied once."""
    running = await start_consumer({UserRegistered: effect_handler(store)})
    users = [uuid.uuid4() for _ in range(AGGREGATES)]
    async with store.sessionmaker() as session, session.begin():
        for seq in range(PER_AGGREGATE):
            for user in users:
                await record_event(
                    session, store.outbox, user_registered(user, seq), producer=PRODUCER
                )
    relay_broker = Broker(testing.broker_url(), topology, name=testing.unique_name("relay"))
    await relay_broker.start()
    await relay_broker.wait_connected(timeout=15)
    confirmed = 0
    cut: asyncio.Task | None = None
    at_cut: list[int] = []

    async def cut_after_100(row) -> None:
        nonlocal confirmed, cut
        confirmed += 1
        if confirmed == 100:
            # In the background: the cut lands while the next windows await their confirms.
            cut = asyncio.create_task(
                asyncio.to_thread(testing.close_connections, relay_broker.name)
            )
            cut.add_done_callback(lambda _task: at_cut.append(confirmed))
        if cut is not None and not cut.done():
            await asyncio.sleep(0.02)  # slowed while the cut is on its way: it lands near 100

    relay = OutboxRelay(
        store.engine, store.outbox, relay_broker,
        batch_size=500, poll_interval=0.2, after_publish=cut_after_100,
    )  # fmt: skip
    await relay.start()
    try:

        async def all_applied() -> bool:
            return await store.unsent() == 0 and await store.count(store.processed_events) == 500

        await testing.eventually(all_applied, timeout=60, interval=0.2)
        await asyncio.sleep(0.5)  # room for any stray duplicate to arrive
    finally:
        await relay.stop()
        await relay_broker.stop()
    assert cut is not None
    assert await cut == 1  # the relay's connection was closed
    delivered = [message.message_id for message in running.deliveries]
    duplicates = len(delivered) - len(set(delivered))
    print(
        f"\nFIGURES 500-row batch cut: {at_cut[0]} confirmed when the cut landed, "
        f"{confirmed} confirms in all, {len(delivered)} delivered, {duplicates} duplicates"
    )
    assert len(set(delivered)) == 500
    assert duplicates <= AGGREGATES
    assert await store.count(store.effects) == 500  # applied once each
    assert await store.unsent() == 0
