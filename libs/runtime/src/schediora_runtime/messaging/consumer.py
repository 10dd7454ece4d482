"""The idempotent consumer: one handler per event type, effects and dedup row in one commit."""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aio_pika.abc import AbstractIncomingMessage, AbstractQueue, AbstractRobustChannel
from aio_pika.exceptions import AMQPError, ChannelInvalidStateError
from asgi_correlation_id import correlation_id
from opentelemetry import propagate, trace
from sqlalchemy import Table
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from schediora_contracts import Event, EventEnvelope
from schediora_runtime.messaging.broker import Broker
from schediora_runtime.messaging.codec import UndecodableMessage, decode
from schediora_runtime.messaging.inbox import claim_event
from schediora_runtime.messaging.topology import declare_service_queue
from schediora_runtime.metrics import count_event

logger = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)

Handler = Callable[[AsyncSession, Any, EventEnvelope], Awaitable[None]]
Claim = Callable[[AsyncSession], Awaitable[bool]]
"""Claims the event being handled in the given session's transaction: False if it was already."""


@dataclass(frozen=True)
class OwnTransactions:
    """A handler whose work is too slow to hold a transaction open (a call to another system):
    it gets the sessionmaker and opens its transactions itself, and must `claim` the event in
    the transaction that commits its last effects. It returns whether it applied the event
    (False: a duplicate). Its earlier transactions must be safe to repeat: a redelivery (after a
    crash between them) runs it again from the start."""

    run: Callable[[async_sessionmaker[AsyncSession], Any, EventEnvelope, Claim], Awaitable[bool]]


Subscriptions = Mapping[type[Event], Handler | OwnTransactions]

# The database being away is not the message's fault: retry in place rather than spend the
# message's bounded deliveries (docs/architecture.md: Messaging).
TRANSIENT_ERRORS = (OperationalError, InterfaceError, PoolTimeoutError, ConnectionError)


class RejectMessage(Exception):
    """Raised by a handler for a message that must never be applied (e.g. a forged result).

    The message goes straight to the dead-letter queue and nothing the handler wrote is kept.
    """


class Consumer:
    """Consumes the service queue and applies each event once.

    Per message: decode (undecodable → DLQ at once), claim the event id and run the handler in
    one transaction, commit, then ack. An `OwnTransactions` handler runs its transactions itself
    (claiming the event in its last one); the message is acked when it returns. A handler error
    returns the message to the queue until its `delivery_limit`-th delivery fails, which is
    rejected to the DLQ; the quorum queue's own
    delivery limit stays the backstop for consumers that crash mid-message.

    Up to `prefetch` messages are handled at once, so two events of one aggregate may be applied
    out of order: where order matters a handler compares the event's own timestamp (as the
    planner's copy of user preferences does).
    """

    def __init__(
        self,
        broker: Broker,
        sessionmaker: async_sessionmaker[AsyncSession],
        processed_events: Table,
        subscriptions: Subscriptions,
        *,
        prefetch: int = 10,
        retry_delay: float = 0.2,
    ):
        self.broker = broker
        self.sessionmaker = sessionmaker
        self.processed_events = processed_events
        self.handlers = {(e.event_type, e.version): h for e, h in subscriptions.items()}
        self.routing_keys = sorted(e.routing_key() for e in subscriptions)
        self.prefetch = prefetch
        self.retry_delay = retry_delay
        self.queue: AbstractQueue | None = None
        self._channel: AbstractRobustChannel | None = None
        self._start_task: asyncio.Task[None] | None = None
        self._stopping = False

    async def start(self) -> None:
        """Begin consuming once the broker is reachable; does not block start-up."""
        self._start_task = asyncio.create_task(
            self.broker.open_channel_when_connected("consume", self._consume), name="consumer"
        )

    async def _consume(self, channel: AbstractRobustChannel) -> None:
        self._channel = channel
        await self._channel.set_qos(prefetch_count=self.prefetch)
        queue = await declare_service_queue(self._channel, self.broker.topology, self.routing_keys)
        await queue.consume(self.on_message)
        self.queue = queue
        logger.info("consuming %s for %s", queue.name, ", ".join(self.routing_keys))

    async def stop(self) -> None:
        self._stopping = True
        if self._start_task is not None:
            self._start_task.cancel()
            await asyncio.gather(self._start_task, return_exceptions=True)
        if self._channel is not None and not self._channel.is_closed:
            # Closing the channel requeues whatever was delivered but not yet acked.
            await self._channel.close()

    async def on_message(self, message: AbstractIncomingMessage) -> None:
        parent = propagate.extract(message.headers or {})
        try:
            envelope, event = decode(message.body)
        except UndecodableMessage as exc:
            logger.error("dead-lettering undecodable message %s: %s", message.message_id, exc)
            self._count("undecodable", "dead_lettered")
            await _settle(message.reject(requeue=False), message)
            return
        if message.redelivered:
            self._count(envelope.type, "redelivered")
        handler = self.handlers.get((envelope.type, envelope.version))
        token = correlation_id.set(str(envelope.correlation_id or envelope.event_id))
        try:
            with tracer.start_as_current_span(
                f"{envelope.type} process",
                context=parent,
                kind=trace.SpanKind.CONSUMER,
                attributes={
                    "messaging.system": "rabbitmq",
                    "messaging.operation.type": "process",
                    "messaging.destination.name": self.broker.topology.queue,
                    "messaging.message.id": str(envelope.event_id),
                },
            ):
                await self._dispatch(message, envelope, event, handler)
        finally:
            correlation_id.reset(token)

    async def _dispatch(
        self,
        message: AbstractIncomingMessage,
        envelope: EventEnvelope,
        event: Event,
        handler: Handler | OwnTransactions | None,
    ) -> None:
        if handler is None:
            logger.error("dead-lettering %s: no handler in this service", envelope.type)
            self._count(envelope.type, "dead_lettered")
            await _settle(message.reject(requeue=False), message)
            return
        try:
            applied = await self._apply(envelope, event, handler)
        except RejectMessage as exc:
            logger.warning(
                "rejected %s %s: %s",
                envelope.type,
                envelope.event_id,
                exc,
                extra={"security_event": "message_rejected"},
            )
            self._count(envelope.type, "dead_lettered")
            await _settle(message.reject(requeue=False), message)
            return
        except asyncio.CancelledError:
            raise
        except Exception:
            if self._stopping:
                # Shutting down (the database may be what is failing): not the message's fault,
                # so neither count a failure nor dead-letter it; closing the channel requeues it.
                logger.warning(
                    "stopping; %s %s left for redelivery", envelope.type, envelope.event_id
                )
                return
            delivery = _delivery_count(message)
            limit = self.broker.topology.delivery_limit
            logger.exception(
                "handler for %s failed (delivery %s of %s)", envelope.type, delivery, limit
            )
            self._count(envelope.type, "failed")
            if delivery >= limit:
                # RabbitMQ 3.x dead-letters only once the count *exceeds* the limit, i.e. on
                # delivery limit + 1; stop at the limit so "at most N deliveries" holds.
                self._count(envelope.type, "dead_lettered")
                await _settle(message.reject(requeue=False), message)
                return
            # A short pause so a failing message does not spin. reject (not nack) so the
            # delivery count grows on RabbitMQ 4.3+ too, where a requeueing nack is not counted:
            # https://www.rabbitmq.com/docs/4.3/nack
            await asyncio.sleep(self.retry_delay)
            await _settle(message.reject(requeue=True), message)
            return
        if not applied:
            logger.info("duplicate %s %s dropped", envelope.type, envelope.event_id)
        self._count(envelope.type, "applied" if applied else "duplicate")
        await _settle(message.ack(), message)

    def _count(self, event_type: str, outcome: str) -> None:
        count_event(self.broker.name, event_type, outcome)

    async def _apply(
        self, envelope: EventEnvelope, event: Event, handler: Handler | OwnTransactions
    ) -> bool:
        delay = self.retry_delay
        while True:
            try:
                if isinstance(handler, OwnTransactions):
                    return await handler.run(
                        self.sessionmaker, event, envelope, self._claim(envelope)
                    )
                async with self.sessionmaker() as session, session.begin():
                    if not await claim_event(
                        session, self.processed_events, envelope.event_id, envelope.type
                    ):
                        return False
                    await handler(session, event, envelope)
                return True
            except TRANSIENT_ERRORS:
                if self._stopping:
                    raise
                logger.warning("database unavailable; retrying %s in %.1fs", envelope.type, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    def _claim(self, envelope: EventEnvelope) -> Claim:
        async def claim(session: AsyncSession) -> bool:
            return await claim_event(
                session, self.processed_events, envelope.event_id, envelope.type
            )

        return claim


async def _settle(outcome: Awaitable[None], message: AbstractIncomingMessage) -> None:
    """Send an ack/reject; if the channel closed meanwhile, the broker redelivers the message.

    Delivery tags die with their channel (a reconnect opens a new one), so settling fails with
    ChannelInvalidStateError. The broker requeued the message when the channel closed, and the
    redelivery is settled by whichever consumer gets it: a committed event is then a duplicate.
    """
    try:
        await outcome
    except (ChannelInvalidStateError, AMQPError) as exc:
        logger.warning(
            "could not settle message %s (%r); the broker will redeliver it",
            message.message_id,
            exc,
        )


def _delivery_count(message: AbstractIncomingMessage) -> int:
    """The number of this delivery: 1 first, then 1 + the quorum queue's `x-delivery-count`."""
    count = (message.headers or {}).get("x-delivery-count", 0)
    return int(count) + 1 if isinstance(count, int) else 1
