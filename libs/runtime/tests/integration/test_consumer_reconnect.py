"""Connection cuts mid-message: the attempt or the ack is lost, the event is applied once."""

import asyncio

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
