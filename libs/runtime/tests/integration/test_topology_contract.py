"""Topology: the queue contract on the broker and the publish contract on the wire."""

from typing import Any

import aio_pika
from aiormq.channel import Channel

from schediora_contracts import UserRegistered
from schediora_runtime.messaging.relay import OutboxRelay
from schediora_runtime.messaging.topology import declare_service_queue
from schediora_testkit import testing

from ..factories import record


async def test_the_service_queue_is_a_bounded_quorum_queue_dead_lettering_at_least_once(
    rabbit, topology
):
    channel = await rabbit.channel()
    await declare_service_queue(channel, topology, [UserRegistered.routing_key()])
    # Declared again at every start-up: the same arguments must not be a PRECONDITION_FAILED.
    await declare_service_queue(channel, topology, [UserRegistered.routing_key()])

    queues = testing.list_queues("type", "durable", "arguments")

    service = queues[topology.queue]
    assert service["type"] == "quorum"
    assert service["durable"] is True
    assert service["arguments"] == {
        "x-queue-type": "quorum",
        "x-delivery-limit": 5,
        "x-dead-letter-exchange": topology.dead_letter_exchange,
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
    }
    dead_letters = queues[topology.dead_letter_queue]
    assert dead_letters["durable"] is True
    assert dead_letters["type"] == "quorum"


async def test_every_relayed_message_is_persistent_mandatory_and_confirmed(
    store, broker, tap, monkeypatch
):
    seen: list[dict[str, Any]] = []
    publish = Channel.basic_publish

    async def spy(self, body, **kwargs):
        seen.append(
            {
                "delivery_mode": kwargs["properties"].delivery_mode,
                "mandatory": kwargs.get("mandatory"),
                "confirms": self.publisher_confirms,
                "on_return_raises": self.on_return_raises,
            }
        )
        return await publish(self, body, **kwargs)

    # The frames as they go to the connection (the broker publishes through aiormq directly).
    monkeypatch.setattr(Channel, "basic_publish", spy)
    received = await tap()
    for _ in range(20):
        await record(store)

    assert await OutboxRelay(store.engine, store.outbox, broker).relay_batch() == 20

    async def all_delivered() -> bool:
        return len(received) == 20

    await testing.eventually(all_delivered, timeout=10)
    assert len(seen) == 20
    assert (
        seen
        == [
            {
                "delivery_mode": aio_pika.DeliveryMode.PERSISTENT,
                "mandatory": True,
                "confirms": True,
                "on_return_raises": True,
            }
        ]
        * 20
    )
    assert {message.delivery_mode for message in received} == {aio_pika.DeliveryMode.PERSISTENT}
    assert await store.unsent() == 0
