"""The idempotent consumer: each event applied once; poison never blocks the queue (5, 6, 10)."""

import time

import orjson
from sqlalchemy.exc import OperationalError

from schediora_contracts import UserRegistered
from schediora_runtime.messaging.codec import encode, wrap
from schediora_runtime.messaging.consumer import RejectMessage
from schediora_testkit import testing

from ..factories import effect_handler, user_registered, write_effect
from .wire import dead_letters, publish


async def queue_depth(rabbit, name: str) -> int:
    channel = await rabbit.channel()
    queue = await channel.declare_queue(name, passive=True)
    await channel.close()
    return queue.declaration_result.message_count


async def test_the_same_envelope_delivered_twice_is_applied_once_and_acked_twice(
    store, broker, rabbit, topology, start_consumer
):
    calls: list = []
    running = await start_consumer({UserRegistered: effect_handler(store, calls)})
    envelope = wrap(user_registered(), producer="auth")
    for _ in range(2):
        await publish(broker, encode(envelope), message_id=str(envelope.event_id))

    async def both_settled() -> bool:
        return len(running.deliveries) == 2 and all(m.processed for m in running.deliveries)

    await testing.eventually(both_settled, timeout=10)
    await running.consumer.stop()

    assert len(calls) == 1
    assert await store.count(store.effects) == 1
    assert await store.count(store.processed_events) == 1
    # Stopping closed the channel: an unacked copy would be back in the queue now.
    assert await queue_depth(rabbit, topology.queue) == 0
    assert await dead_letters(rabbit, topology) == []


async def test_undecodable_messages_are_dead_lettered_at_once_and_do_not_block_the_queue(
    store, broker, rabbit, topology, start_consumer
):
    running = await start_consumer({UserRegistered: effect_handler(store)})
    not_json = await publish(broker, b"\x00 definitely not json")
    invalid = wrap(user_registered(), producer="auth").model_dump(mode="json")
    del invalid["payload"]["email"]
    schema_invalid = await publish(broker, orjson.dumps(invalid))
    started = time.monotonic()
    for seq in range(10):
        await publish(broker, encode(wrap(user_registered(seq=seq), producer="auth")))

    async def valid_applied() -> bool:
        return await store.count(store.effects) == 10

    await testing.eventually(valid_applied, timeout=10)
    elapsed = time.monotonic() - started

    async def bad_ones_dead_lettered() -> bool:
        return await queue_depth(rabbit, topology.dead_letter_queue) == 2

    await testing.eventually(bad_ones_dead_lettered, timeout=10)
    dead = await dead_letters(rabbit, topology)
    assert {m.message_id for m in dead} == {not_json, schema_invalid}
    for message in dead:
        (death,) = message.headers["x-death"]
        assert death["reason"] == "rejected"
        assert death["count"] == 1
        assert death["queue"] == topology.queue
    delivered = [m.message_id for m in running.deliveries]
    assert delivered.count(not_json) == 1
    assert delivered.count(schema_invalid) == 1
    assert len(delivered) == 12
    print(f"FIGURES undecodable: 2 dead-lettered after 1 delivery each; 10 valid in {elapsed:.2f}s")
    assert elapsed < 10


async def test_a_handler_that_always_fails_is_dead_lettered_within_five_deliveries(
    store, broker, rabbit, topology, start_consumer
):
    poison = wrap(user_registered(seq=0), producer="auth")
    attempts: list[int] = []
    apply = effect_handler(store)

    async def handle(session, event, envelope) -> None:
        if envelope.event_id == poison.event_id:
            attempts.append(1)
            raise ValueError("this handler can never apply the event")
        await apply(session, event, envelope)

    running = await start_consumer({UserRegistered: handle}, retry_delay=0.05)
    await publish(broker, encode(poison), message_id=str(poison.event_id))
    behind = wrap(user_registered(seq=1), producer="auth")
    await publish(broker, encode(behind), message_id=str(behind.event_id))

    async def poison_dead_lettered() -> bool:
        return await queue_depth(rabbit, topology.dead_letter_queue) == 1

    await testing.eventually(poison_dead_lettered, timeout=15)

    (dead,) = await dead_letters(rabbit, topology)
    assert dead.message_id == str(poison.event_id)
    (death,) = dead.headers["x-death"]
    assert death["queue"] == topology.queue
    seen_counts = [
        m.headers.get("x-delivery-count", 0)
        for m in running.deliveries
        if m.message_id == str(poison.event_id)
    ]
    print(f"FIGURES poison: x-delivery-count per delivery {seen_counts}, x-death {death}")
    # Exactly the delivery limit (5), not the 6 that RabbitMQ 3.x's own limit would allow.
    assert seen_counts == [0, 1, 2, 3, 4]
    assert len(attempts) == 5
    assert death["reason"] == "rejected"
    assert await store.count(store.effects) == 1
    assert await store.count(store.processed_events) == 1
    assert await queue_depth(rabbit, topology.queue) == 0


async def test_a_rejected_message_goes_to_the_dead_letter_queue_at_once_with_no_effects(
    store, broker, rabbit, topology, start_consumer
):
    async def forged(session, event, envelope) -> None:
        await write_effect(session, store, envelope.event_id, event)
        raise RejectMessage("user does not own this job")

    running = await start_consumer({UserRegistered: forged})
    event_id = await publish(broker, encode(wrap(user_registered(), producer="planner")))

    async def dead_lettered() -> bool:
        return await queue_depth(rabbit, topology.dead_letter_queue) == 1

    await testing.eventually(dead_lettered, timeout=10)
    (dead,) = await dead_letters(rabbit, topology)
    assert dead.message_id == event_id
    assert dead.headers["x-death"][0]["reason"] == "rejected"
    assert len(running.deliveries) == 1
    assert await store.count(store.effects) == 0
    assert await store.count(store.processed_events) == 0


async def test_transient_database_errors_are_retried_without_spending_deliveries(
    store, broker, rabbit, topology, start_consumer
):
    calls: list = []
    apply = effect_handler(store)

    async def flaky(session, event, envelope) -> None:
        calls.append(envelope.event_id)
        if len(calls) <= 2:
            raise OperationalError("INSERT", {}, ConnectionError("server closed the connection"))
        await apply(session, event, envelope)

    running = await start_consumer({UserRegistered: flaky}, retry_delay=0.05)
    await publish(broker, encode(wrap(user_registered(), producer="auth")))

    async def applied() -> bool:
        return await store.count(store.effects) == 1 and running.deliveries[0].processed

    await testing.eventually(applied, timeout=10)
    await running.consumer.stop()

    assert len(calls) == 3
    assert len(running.deliveries) == 1
    assert await store.count(store.processed_events) == 1
    assert await queue_depth(rabbit, topology.queue) == 0
    assert await dead_letters(rabbit, topology) == []
