"""Connection cuts mid-message: the attempt or the ack is lost, the event is applied once."""

import asyncio
import time

import pytest
from aio_pika.message import IncomingMessage

from schediora_contracts import UserRegistered
from schediora_runtime.messaging.codec import encode, wrap
from schediora_testkit import testing

from ..factories import effect_handler, user_registered
from .wire import dead_letters, publish


async def assert_settled_once(store, rabbit, topology, running, loop_errors) -> None:
    await running.consumer.stop()
    first, second = running.deliveries
    assert second.redelivered is True
    assert second.message_id == first.message_id
    assert await store.count(store.effects) == 1
    assert await store.count(store.processed_events) == 1
    assert await dead_letters(rabbit, topology) == []
    channel = await rabbit.channel()
    queue = await channel.declare_queue(topology.queue, passive=True)
    assert queue.declaration_result.message_count == 0
    # Nothing escaped to the event loop (e.g. an ack sent on the dead channel).
    assert [context.get("message") for context in loop_errors] == []


async def test_a_cut_during_the_handler_rolls_back_and_the_redelivery_applies_once(
    store, broker, rabbit, topology, start_consumer, loop_errors
):
    entered = asyncio.Event()
    calls: list = []
    apply = effect_handler(store)

    async def slow(session, event, envelope) -> None:
        calls.append(envelope.event_id)
        await apply(session, event, envelope)
        if len(calls) == 1:
            entered.set()
            await asyncio.sleep(30)  # inside the transaction, the effect written, uncommitted

    running = await start_consumer({UserRegistered: slow})
    envelope = wrap(user_registered(), producer="auth")
    await publish(broker, encode(envelope), message_id=str(envelope.event_id))
    await asyncio.wait_for(entered.wait(), timeout=10)

    assert await asyncio.to_thread(testing.close_connections, broker.name) == 1

    async def redelivered_and_settled() -> bool:
        return len(running.deliveries) == 2 and running.deliveries[1].processed

    # The robust connection comes back by itself and the consumer resumes on a new channel.
    await testing.eventually(redelivered_and_settled, timeout=20)

    # The first attempt was abandoned with its channel, so the handler ran again.
    assert len(calls) == 2
    await assert_settled_once(store, rabbit, topology, running, loop_errors)


async def test_a_cut_between_commit_and_ack_redelivers_a_duplicate_that_is_dropped(
    store, broker, rabbit, topology, start_consumer, loop_errors, monkeypatch
):
    calls: list = []
    running = await start_consumer({UserRegistered: effect_handler(store, calls)})
    ack = IncomingMessage.ack
    cut = asyncio.Event()

    async def ack_after_a_cut(self, multiple: bool = False) -> None:
        if not cut.is_set():
            cut.set()
            await asyncio.to_thread(testing.close_connections, broker.name)

            async def disconnected() -> bool:
                return not broker.is_connected

            await testing.eventually(disconnected, timeout=10)
        await ack(self, multiple)

    monkeypatch.setattr(IncomingMessage, "ack", ack_after_a_cut)
    envelope = wrap(user_registered(), producer="auth")
    await publish(broker, encode(envelope), message_id=str(envelope.event_id))

    async def redelivered_and_settled() -> bool:
        return len(running.deliveries) == 2 and running.deliveries[1].processed

    await testing.eventually(redelivered_and_settled, timeout=20)

    # Committed once; the redelivery found the event id claimed and never reached the handler.
    assert len(calls) == 1
    await assert_settled_once(store, rabbit, topology, running, loop_errors)


MESSAGES = 300
CUTS = 3
CUT_EVERY_SECONDS = 10


@pytest.mark.slow
async def test_three_cuts_during_300_messages_lose_nothing_and_apply_each_once(
    store, broker, rabbit, topology, start_consumer, loop_errors
):
    """docs/reliability.md, item 11: 300 messages whose handling takes about 45 s (a handler of
    1.5 s, 10 at a time), the consumer's connection force-closed by the broker every 10 s, three
    times. After each cut a consumer is back on the queue within 15 s; every message is applied
    exactly once (the cut ones redelivered, duplicates dropped), none dead-lettered, and no
    ack on a dead channel escapes to the event loop."""
    apply = effect_handler(store)

    async def slow(session, event, envelope) -> None:
        await apply(session, event, envelope)
        await asyncio.sleep(1.5)  # inside the transaction: a cut lands mid-handler

    running = await start_consumer({UserRegistered: slow}, prefetch=10)
    envelopes = [wrap(user_registered(seq=n), producer="auth") for n in range(MESSAGES)]
    for envelope in envelopes:
        await publish(broker, encode(envelope), message_id=str(envelope.event_id))

    async def consumer_back() -> bool:
        listed = await asyncio.to_thread(testing.list_queues, "consumers")
        return int(listed.get(topology.queue, {}).get("consumers", 0)) >= 1

    recovered = []
    for _ in range(CUTS):
        await asyncio.sleep(CUT_EVERY_SECONDS)
        applied = await store.count(store.processed_events)
        assert applied < MESSAGES  # the cut lands while messages are still being handled
        assert await asyncio.to_thread(testing.close_connections, broker.name) == 1
        cut_at = time.monotonic()
        await testing.eventually(consumer_back, timeout=15, interval=0.1)
        recovered.append(round(time.monotonic() - cut_at, 1))

    async def all_applied() -> bool:
        return await store.count(store.processed_events) == MESSAGES

    await testing.eventually(all_applied, timeout=120, interval=0.5)
    await running.consumer.stop()
    redelivered = sum(1 for message in running.deliveries if message.redelivered)
    print(
        f"\nFIGURES {CUTS} cuts during {MESSAGES} messages: consumer back after {recovered} s, "
        f"{len(running.deliveries)} deliveries, {redelivered} redelivered"
    )
    assert await store.count(store.effects) == MESSAGES  # a double apply would add a row
    assert {row.event_id for row in await store.rows(store.effects)} == {
        e.event_id for e in envelopes
    }
    assert redelivered > 0
    assert await dead_letters(rabbit, topology) == []
    channel = await rabbit.channel()
    queue = await channel.declare_queue(topology.queue, passive=True)
    assert queue.declaration_result.message_count == 0
    assert [context.get("message") for context in loop_errors] == []
