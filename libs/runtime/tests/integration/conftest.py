"""Broker-side fixtures: a tap recording what the broker delivered, and a running Consumer."""

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aio_pika
import pytest
from aio_pika.abc import AbstractConnection, AbstractIncomingMessage

from schediora_runtime.messaging.codec import decode
from schediora_runtime.messaging.consumer import Consumer, Subscriptions
from schediora_runtime.messaging.topology import declare_exchange
from schediora_testkit import testing

from .wire import record_deliveries


class Tap(list[AbstractIncomingMessage]):
    """Messages in the order the broker delivered them (every one acked on arrival)."""

    @property
    def ids(self) -> list[str | None]:
        return [message.message_id for message in self]

    def sequences(self) -> list[tuple[str, int]]:
        """(aggregate, seq) of every message, in delivery order."""
        events = [decode(message.body)[1] for message in self]
        return [(str(event.user_id), int(event.display_name)) for event in events]


@pytest.fixture
async def rabbit() -> AsyncIterator[AbstractConnection]:
    """A plain connection of the test's own, apart from the Broker under test."""
    connection = await aio_pika.connect(testing.broker_url())
    try:
        yield connection
    finally:
        await connection.close()


@pytest.fixture
def tap(rabbit, names, topology) -> Callable[..., Awaitable[Tap]]:
    async def bind_tap(routing_key: str = "#") -> Tap:
        # A classic queue: the tap only observes, and its confirms come back sooner.
        channel = await rabbit.channel()
        exchange = await declare_exchange(channel, topology)
        queue = await channel.declare_queue(names.queue("tap"), durable=True)
        await queue.bind(exchange, routing_key)
        received = Tap()

        async def on_message(message: AbstractIncomingMessage) -> None:
            received.append(message)
            await message.ack()

        await queue.consume(on_message)
        return received

    return bind_tap


@dataclass
class RunningConsumer:
    consumer: Consumer
    deliveries: list[AbstractIncomingMessage]
    """Every message the broker delivered to the consumer, redeliveries included."""


@pytest.fixture
async def start_consumer(broker, store) -> AsyncIterator[Callable[..., Awaitable[RunningConsumer]]]:
    """Start a Consumer of the test's topology on the store; stopped after the test."""
    running: list[Consumer] = []

    async def start(subscriptions: Subscriptions, **options: Any) -> RunningConsumer:
        consumer = Consumer(
            broker, store.sessionmaker, store.processed_events, subscriptions, **options
        )
        deliveries = record_deliveries(consumer)
        await consumer.start()
        running.append(consumer)

        async def consuming() -> bool:
            return consumer.queue is not None

        await testing.eventually(consuming, timeout=30)
        return RunningConsumer(consumer, deliveries)

    try:
        yield start
    finally:
        for consumer in running:
            await consumer.stop()
