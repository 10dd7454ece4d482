"""The relay: publishes committed outbox rows with publisher confirms, in order, then marks them."""

import asyncio
import contextlib
import logging
import zlib
from collections.abc import Awaitable, Callable

import orjson
from opentelemetry import propagate, trace
from sqlalchemy import Row, Table, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from schediora_runtime.messaging.broker import Broker, PublishFailed

logger = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)

AfterPublishHook = Callable[[Row], Awaitable[None]]


class OutboxRelay:
    """Moves outbox rows to the broker. Safe to run in several processes at once.

    Only one relay of an outbox works at a time (a transaction-level advisory lock), and a batch
    stops at its first failure, so events are never reordered. A row is marked sent in the same
    transaction that locked it: a relay killed after publishing but before committing leaves the
    row unsent, and it is published again (at-least-once; consumers drop the duplicate).
    """

    def __init__(
        self,
        engine: AsyncEngine,
        outbox: Table,
        broker: Broker,
        *,
        batch_size: int = 100,
        poll_interval: float = 1.0,
        retention_days: int = 7,
        after_publish: AfterPublishHook | None = None,
    ):
        self.engine = engine
        self.outbox = outbox
        self.broker = broker
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.retention_days = retention_days
        self.after_publish = after_publish
        self._lock_key = zlib.crc32(f"{outbox.schema}.{outbox.name}".encode())
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """Called after a commit that wrote events, so they go out without waiting for a poll."""
        self._wake.set()

    async def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name=f"outbox-relay:{self.outbox.schema}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def run(self) -> None:
        failures = 0
        cleaned = 0.0
        loop = asyncio.get_running_loop()
        while True:
            try:
                published = await self.relay_batch()
                failures = 0
                if loop.time() - cleaned > 3600:
                    await self.purge_sent()
                    cleaned = loop.time()
            except asyncio.CancelledError:
                raise
            except Exception:
                failures += 1
                logger.warning("outbox relay batch failed", exc_info=True)
                published = 0
            if published >= self.batch_size:
                continue
            delay = self.poll_interval if failures == 0 else min(2**failures * 0.25, 10.0)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)

    async def relay_batch(self) -> int:
        """Publish up to one batch; return how many rows were published and marked sent."""
        if not self.broker.is_connected:
            return 0
        async with self.engine.begin() as conn:
            locked = await conn.scalar(select(func.pg_try_advisory_xact_lock(self._lock_key)))
            if not locked:
                return 0
            rows = (
                await conn.execute(
                    select(self.outbox)
                    .where(self.outbox.c.sent_at.is_(None))
                    .order_by(self.outbox.c.id)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            sent: list[int] = []
            for row in rows:
                try:
                    await self._publish(row)
                except PublishFailed as exc:
                    logger.warning("outbox event %s not published: %s", row.event_id, exc)
                    await conn.execute(
                        update(self.outbox)
                        .where(self.outbox.c.id == row.id)
                        .values(attempts=self.outbox.c.attempts + 1, last_error=str(exc)[:2000])
                    )
                    break
                sent.append(row.id)
                if self.after_publish is not None:
                    await self.after_publish(row)
            if sent:
                await conn.execute(
                    update(self.outbox)
                    .where(self.outbox.c.id.in_(sent))
                    .values(sent_at=func.now(), attempts=self.outbox.c.attempts + 1)
                )
            return len(sent)

    async def _publish(self, row: Row) -> None:
        parent = propagate.extract(row.headers or {})
        with tracer.start_as_current_span(
            f"{row.event_type} publish",
            context=parent,
            kind=trace.SpanKind.PRODUCER,
            attributes={
                "messaging.system": "rabbitmq",
                "messaging.operation.type": "publish",
                "messaging.destination.name": self.broker.topology.exchange,
                "messaging.rabbitmq.destination.routing_key": row.routing_key,
                "messaging.message.id": str(row.event_id),
            },
        ):
            headers: dict[str, str] = {}
            propagate.inject(headers)
            await self.broker.publish(
                orjson.dumps(row.envelope),
                routing_key=row.routing_key,
                message_id=str(row.event_id),
                message_type=row.event_type,
                headers=headers,
                correlation_id=row.envelope.get("correlation_id"),
            )

    async def purge_sent(self) -> int:
        """Delete rows sent longer ago than the retention period."""
        async with self.engine.begin() as conn:
            result = await conn.execute(
                delete(self.outbox).where(
                    self.outbox.c.sent_at
                    < func.now() - func.make_interval(0, 0, 0, self.retention_days)
                )
            )
            return result.rowcount or 0
