"""The relay: publishes committed outbox rows with publisher confirms, in order, then marks them."""

import asyncio
import contextlib
import logging
import zlib
from collections.abc import Awaitable, Callable, Iterator, Sequence

import orjson
from opentelemetry import propagate, trace
from sqlalchemy import Row, Table, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from schediora_runtime.messaging.broker import Broker, PublishFailed

logger = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)

AfterPublishHook = Callable[[Row], Awaitable[None]]

LOCKED_OUT_RETRY_SECONDS = 0.05


class OutboxRelay:
    """Moves outbox rows to the broker. Safe to run in several processes at once.

    Only one relay of an outbox works at a time (a transaction-level advisory lock). A batch is
    published window by window: a window is the longest run of rows (in id order) with no two of
    one aggregate, all published at once with their confirms awaited together, so a busy event
    loop costs a few turns per window rather than per row. The batch stops after a window in
    which a publish failed: the confirmed rows are marked sent, the failed ones are tried again
    first, and no later event of their aggregates has gone out, so each aggregate's events are
    never reordered (events of different aggregates may be, as the consumers' prefetch may
    reorder them anyway). A row is marked sent in the same transaction that locked it: a relay
    killed after publishing but before committing leaves the row unsent, and it is published
    again (at-least-once; consumers drop the duplicate).
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
        self._locked_out = False

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
            # Cleared before the batch, not after: a commit during the batch wakes the next one
            # (its rows may have missed this batch's snapshot) instead of waiting for the poll.
            self._wake.clear()
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
            if self._locked_out:
                # Another process's relay holds the lock and its batch may have missed rows
                # committed here: look again shortly rather than after a whole poll interval.
                delay = min(delay, LOCKED_OUT_RETRY_SECONDS)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)

    async def relay_batch(self) -> int:
        """Publish up to one batch; return how many rows were published and marked sent."""
        self._locked_out = False
        if not self.broker.is_connected:
            return 0
        async with self.engine.begin() as conn:
            locked = await conn.scalar(select(func.pg_try_advisory_xact_lock(self._lock_key)))
            self._locked_out = not locked
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
            for window in _windows(rows):
                outcomes = await asyncio.gather(
                    *(self._publish(row) for row in window), return_exceptions=True
                )
                failed = False
                for row, outcome in zip(window, outcomes, strict=True):
                    if isinstance(outcome, PublishFailed):
                        failed = True
                        logger.warning("outbox event %s not published: %s", row.event_id, outcome)
                        await conn.execute(
                            update(self.outbox)
                            .where(self.outbox.c.id == row.id)
                            .values(
                                attempts=self.outbox.c.attempts + 1,
                                last_error=str(outcome)[:2000],
                            )
                        )
                        continue
                    if isinstance(outcome, BaseException):
                        raise outcome
                    sent.append(row.id)
                    if self.after_publish is not None:
                        await self.after_publish(row)
                if failed:
                    break
            if sent:
                await conn.execute(
                    update(self.outbox)
                    .where(self.outbox.c.id.in_(sent))
                    .values(sent_at=func.now(), attempts=self.outbox.c.attempts + 1)
                )
            return len(sent)

    async def _publish(self, row: Row) -> None:
        """Publish one row and wait for its confirm; PublishFailed if the broker refused it."""
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


def _windows(rows: Sequence[Row]) -> Iterator[list[Row]]:
    """The rows cut, in order, into the longest runs with no two rows of one aggregate."""
    window: list[Row] = []
    aggregates: set[str] = set()
    for row in rows:
        if row.aggregate_id in aggregates:
            yield window
            window, aggregates = [], set()
        window.append(row)
        aggregates.add(row.aggregate_id)
    if window:
        yield window
