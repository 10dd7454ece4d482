"""Prometheus metrics, served at `/metrics` on each process's own port (the gateway forwards only
`/api/v1`, so they are never public). Labels are bounded: route templates, never raw paths;
event types, never ids; no user ids anywhere.

The request path pays for two metric updates and one clock read (the access log shares the
clock). Queue depths and the outbox backlog are read when Prometheus scrapes, not kept up to date.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import Table, event, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

SCRAPE_STEP_TIMEOUT_SECONDS = 2.0

HTTP_REQUESTS = Counter(
    "schediora_http_requests",
    "HTTP requests answered, by route template, method and status.",
    ["service", "method", "route", "status"],
)
HTTP_DURATION = Histogram(
    "schediora_http_request_duration_seconds",
    "Time from the request's arrival to the end of its answer.",
    ["service", "method", "route"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
EVENTS = Counter(
    "schediora_events",
    "Events a consumer settled, by type and outcome: applied, duplicate, failed (returned for "
    "a redelivery), dead_lettered, redelivered (arrived again after a failure or a crash).",
    ["service", "event_type", "outcome"],
)
OUTBOX_PENDING = Gauge(
    "schediora_outbox_pending_events", "Outbox rows not yet published.", ["service"]
)
OUTBOX_OLDEST_AGE = Gauge(
    "schediora_outbox_oldest_pending_age_seconds",
    "Age of the oldest outbox row not yet published (0 when none).",
    ["service"],
)
QUEUE_MESSAGES = Gauge(
    "schediora_queue_messages",
    "Messages waiting in the service's queue and in its dead-letter queue.",
    ["service", "queue"],
)

UNMATCHED_ROUTE = "unmatched"
"""The route label of a request no route matched (a 404 or 405 from the router)."""


def observe_request(service: str, method: str, route: str, status: int, seconds: float) -> None:
    HTTP_REQUESTS.labels(service, method, route, str(status)).inc()
    HTTP_DURATION.labels(service, method, route).observe(seconds)


def count_event(service: str, event_type: str, outcome: str) -> None:
    EVENTS.labels(service, event_type, outcome).inc()


Probe = Callable[[], Awaitable[None]]


async def outbox_backlog(service: str, sessionmaker, outbox: Table) -> None:
    """Set the backlog gauges from one query (rows not sent and the oldest's age)."""
    pending = outbox.c.sent_at.is_(None)
    statement = select(
        func.count(),
        func.coalesce(func.extract("epoch", func.now() - func.min(outbox.c.created_at)), 0),
    ).where(pending)
    async with sessionmaker() as session:
        count, oldest = (await session.execute(statement)).one()
    OUTBOX_PENDING.labels(service).set(count)
    OUTBOX_OLDEST_AGE.labels(service).set(float(oldest))


async def queue_depths(service: str, broker) -> None:
    """Set the depth of the service's queue and DLQ (passive declares on a short channel)."""
    connection = broker.connection
    if connection is None or connection.is_closed:
        return
    topology = broker.topology
    channel = await connection.channel()
    try:
        for label, name in (
            ("service", topology.queue),
            ("dead_letter", topology.dead_letter_queue),
        ):
            queue = await channel.declare_queue(name, passive=True)
            QUEUE_MESSAGES.labels(service, label).set(queue.declaration_result.message_count or 0)
    finally:
        await channel.close()


async def _refresh(probes: list[Probe]) -> None:
    for probe in probes:
        try:
            await asyncio.wait_for(probe(), SCRAPE_STEP_TIMEOUT_SECONDS)
        except Exception as exc:  # a scrape shows the last values rather than fail
            logger.warning("a metrics probe failed: %r", exc)


def metrics_router() -> APIRouter:
    """`GET /metrics`: reads `app.state.metrics_probes` (set by the runtime) before answering."""
    router = APIRouter(include_in_schema=False)

    @router.get("/metrics")
    async def metrics(request: Request) -> Response:
        await _refresh(getattr(request.app.state, "metrics_probes", []))
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def elapsed_since(started: float) -> float:
    return time.perf_counter() - started


_AFTER_COMMIT = "schediora.metrics_after_commit"


def after_commit(session: AsyncSession | Session, update: Callable[[], None]) -> None:
    """Apply `update` (a domain metric's change) once the session's transaction commits, and
    never if it rolls back: a counter then counts what the database holds, not attempts."""
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    sync.info.setdefault(_AFTER_COMMIT, []).append(update)


@event.listens_for(Session, "after_commit")
def _apply_after_commit(session: Session) -> None:
    for update in session.info.pop(_AFTER_COMMIT, ()):
        try:
            update()
        except Exception:  # a metric must never fail a committed transaction's caller
            logger.warning("a metric update failed", exc_info=True)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(_AFTER_COMMIT, None)


def non_negative_seconds(start, end) -> float:
    """Seconds from `start` to `end` (datetimes from different clocks): never below 0."""
    return max(0.0, (end - start).total_seconds())
