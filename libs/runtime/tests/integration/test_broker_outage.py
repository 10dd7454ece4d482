"""Events written while RabbitMQ is down wait in the outbox and go out once it is back."""

import asyncio
import time

from schediora_contracts import UserRegistered
from schediora_runtime.messaging.relay import OutboxRelay
from schediora_runtime.messaging.topology import declare_service_queue
from schediora_testkit import testing

from ..factories import effect_handler, record


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
