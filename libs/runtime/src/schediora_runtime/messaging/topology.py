"""The broker topology, declared idempotently by the code at start-up."""

from dataclasses import dataclass

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractQueue


@dataclass(frozen=True)
class Topology:
    """One topic exchange for all events; per service one quorum queue, one DLX and one DLQ."""

    exchange: str
    queue: str
    delivery_limit: int = 5

    @property
    def dead_letter_exchange(self) -> str:
        return f"{self.queue}.dlx"

    @property
    def dead_letter_queue(self) -> str:
        return f"{self.queue}.dlq"

    def queue_arguments(self) -> dict[str, str | int]:
        # RabbitMQ 3.10 sets no delivery limit on quorum queues (4.0 defaults to 20), so a
        # poison message would loop forever without it. At-least-once dead-lettering needs
        # reject-publish overflow: https://www.rabbitmq.com/blog/2022/03/29/at-least-once-dead-lettering
        return {
            "x-queue-type": "quorum",
            "x-delivery-limit": self.delivery_limit,
            "x-dead-letter-exchange": self.dead_letter_exchange,
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        }


async def declare_exchange(channel: AbstractChannel, topology: Topology) -> AbstractExchange:
    return await channel.declare_exchange(
        topology.exchange, aio_pika.ExchangeType.TOPIC, durable=True
    )


async def declare_service_queue(
    channel: AbstractChannel, topology: Topology, routing_keys: list[str]
) -> AbstractQueue:
    """Declare exchange, dead-letter pair and the service queue bound to `routing_keys`."""
    exchange = await declare_exchange(channel, topology)
    dead_letters = await channel.declare_exchange(
        topology.dead_letter_exchange, aio_pika.ExchangeType.FANOUT, durable=True
    )
    dlq = await channel.declare_queue(
        topology.dead_letter_queue, durable=True, arguments={"x-queue-type": "quorum"}
    )
    await dlq.bind(dead_letters)
    queue = await channel.declare_queue(
        topology.queue, durable=True, arguments=topology.queue_arguments()
    )
    for key in routing_keys:
        await queue.bind(exchange, routing_key=key)
    return queue
