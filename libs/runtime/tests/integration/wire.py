"""What tests put on the wire and read off it: raw publishes, deliveries, dead letters."""

import uuid
from typing import Any

from aio_pika.abc import AbstractConnection, AbstractIncomingMessage

from schediora_contracts import UserRegistered
from schediora_runtime.messaging.broker import Broker
from schediora_runtime.messaging.topology import Topology


def record_deliveries(consumer: Any) -> list[AbstractIncomingMessage]:
    """Note every message the broker delivers to `consumer` (call before `start`)."""
    deliveries: list[AbstractIncomingMessage] = []
    on_message = consumer.on_message

    async def noting(message: AbstractIncomingMessage) -> None:
        deliveries.append(message)
        await on_message(message)

    consumer.on_message = noting
    return deliveries


async def publish(broker: Broker, body: bytes, *, message_id: str | None = None) -> str:
    """Publish a raw body with the UserRegistered routing key through the Broker under test."""
    message_id = message_id or str(uuid.uuid4())
    await broker.publish(
        body,
        routing_key=UserRegistered.routing_key(),
        message_id=message_id,
        message_type=UserRegistered.event_type,
        headers={},
    )
    return message_id


async def dead_letters(
    rabbit: AbstractConnection, topology: Topology
) -> list[AbstractIncomingMessage]:
    """Drain the service's dead-letter queue."""
    channel = await rabbit.channel()
    queue = await channel.declare_queue(topology.dead_letter_queue, passive=True)
    drained = []
    while (message := await queue.get(fail=False, no_ack=True)) is not None:
        drained.append(message)
    await channel.close()
    return drained
