"""Assembles a service: its app, and the engine, broker, relay and consumer it runs."""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from functools import partial

from fastapi import APIRouter, Depends, FastAPI
from sqlalchemy import Table, text

from schediora_runtime import dlq, metrics
from schediora_runtime.database import create_engine, create_sessionmaker
from schediora_runtime.health import health_router
from schediora_runtime.logs import configure_logging
from schediora_runtime.messaging.broker import Broker
from schediora_runtime.messaging.consumer import Consumer, Subscriptions
from schediora_runtime.messaging.inbox import purge_processed_events
from schediora_runtime.messaging.outbox import WAKE_RELAY_KEY
from schediora_runtime.messaging.relay import OutboxRelay
from schediora_runtime.messaging.topology import Topology
from schediora_runtime.metrics import metrics_router
from schediora_runtime.middleware import install_request_context
from schediora_runtime.problems import install_problem_handlers
from schediora_runtime.reads import Reads
from schediora_runtime.security import RemoteJwks, TokenVerifier
from schediora_runtime.security.key_rotation import KeyRotationListener
from schediora_runtime.security.revocation import VIEW_KEY, RevocationList, RevocationRefresher
from schediora_runtime.settings import ServiceSettings
from schediora_runtime.storable import refuse_unstorable_parameters
from schediora_runtime.tracing import (
    FASTAPI_NATIVE_TELEMETRY_OFF,
    configure_tracing,
    shutdown_tracing,
)

logger = logging.getLogger(__name__)


Worker = Callable[["ServiceRuntime"], Awaitable[None]]
"""A background loop a service runs while it is up (e.g. failing overdue jobs); it is
cancelled at shutdown, before the consumer and the relay stop. A `startup` step has the same
shape and is awaited before the service answers its first request."""


class ServiceRuntime:
    """Everything a service keeps open while it runs; built in the lifespan, never at import."""

    def __init__(
        self,
        settings: ServiceSettings,
        *,
        outbox: Table | None,
        processed_events: Table | None,
        subscriptions: Subscriptions,
        workers: Sequence[Worker] = (),
        revocations: Table | None = None,
        startup: Sequence[Worker] = (),
        key_source: object | None = None,
    ):
        self.settings = settings
        self.workers = workers
        self.startup = startup
        self._worker_tasks: list[asyncio.Task[None]] = []
        self.engine = create_engine(settings)
        self.reads = Reads.from_settings(settings)
        self.topology = Topology(
            exchange=settings.events_exchange,
            queue=settings.service_queue,
            delivery_limit=settings.delivery_limit,
        )
        self.broker = Broker(settings.rabbitmq_url, self.topology, name=settings.service_name)
        self.relay = (
            OutboxRelay(
                self.engine,
                outbox,
                self.broker,
                batch_size=settings.outbox_batch_size,
                poll_interval=settings.outbox_poll_interval_seconds,
                retention_days=settings.retention_days,
            )
            if outbox is not None
            else None
        )
        # Revoked sessions: a view the request path checks, fed by commits and the table.
        self.revocations = RevocationList() if revocations is not None else None
        info: dict[str, object] = {}
        if self.relay is not None:
            info[WAKE_RELAY_KEY] = self.relay.wake
        if self.revocations is not None:
            info[VIEW_KEY] = self.revocations
        self.sessionmaker = create_sessionmaker(self.engine, **info)
        self.revocation_refresher = (
            RevocationRefresher(
                revocations,
                self.sessionmaker,
                self.revocations,
                interval_seconds=settings.revocation_refresh_seconds,
            )
            if revocations is not None and self.revocations is not None
            else None
        )
        self._refresher_task: asyncio.Task[None] | None = None
        # Auth's keys, when tokens are verified against its JWKS: refreshed on a schedule and
        # at once when auth announces a rotation (security/key_rotation.py).
        self.remote_keys = key_source if isinstance(key_source, RemoteJwks) else None
        self.key_rotations = (
            KeyRotationListener(self.broker, self.remote_keys)
            if self.remote_keys is not None
            else None
        )
        self._jwks_refresh_task: asyncio.Task[None] | None = None
        self.consumer = None
        if subscriptions and processed_events is None:
            raise ValueError("a service that consumes events needs a processed_events table")
        if processed_events is not None:
            # A consuming service always declares its queue, even before it binds any event.
            self.consumer = Consumer(
                self.broker,
                self.sessionmaker,
                processed_events,
                subscriptions,
                prefetch=settings.consumer_prefetch,
            )

    async def start(self) -> None:
        await self.reads.open()
        for step in self.startup:
            await step(self)
        if self.revocation_refresher is not None:
            # A fresh process rebuilds its view from the table before it serves a request.
            try:
                await self.revocation_refresher.refresh()
            except Exception:
                logger.warning("loading the revocation list failed; retrying", exc_info=True)
            self._refresher_task = asyncio.create_task(
                self.revocation_refresher.run(), name="revocations"
            )
        await self.broker.start()
        if self.remote_keys is not None and self.key_rotations is not None:
            self._jwks_refresh_task = asyncio.create_task(
                self.remote_keys.run_refresh(self.settings.jwks_refresh_seconds),
                name="jwks-refresh",
            )
            await self.key_rotations.start()
        if self.consumer is not None:
            self._housekeeping = asyncio.create_task(self._purge_processed_events_hourly())
        if self.relay is not None:
            await self.relay.start()
        if self.consumer is not None:
            await self.consumer.start()
        self._worker_tasks = [
            asyncio.create_task(worker(self), name=getattr(worker, "__name__", "worker"))
            for worker in self.workers
        ]

    async def stop(self) -> None:
        # Stop taking work first, then flush what is in flight, then close connections. Each step
        # is bounded: a step that hangs (a confirm or a connection that never answers) is logged
        # and left behind, so the process still stops within its grace period.
        for task in self._worker_tasks:
            task.cancel()
        await _bounded("workers", asyncio.gather(*self._worker_tasks, return_exceptions=True))
        if self._refresher_task is not None:
            self._refresher_task.cancel()
            await _bounded(
                "revocations", asyncio.gather(self._refresher_task, return_exceptions=True)
            )
        if self._jwks_refresh_task is not None:
            self._jwks_refresh_task.cancel()
            await _bounded(
                "jwks refresh", asyncio.gather(self._jwks_refresh_task, return_exceptions=True)
            )
        if self.key_rotations is not None:
            await _bounded("key rotations", self.key_rotations.stop())
        if self.consumer is not None:
            self._housekeeping.cancel()
            await _bounded(
                "housekeeping", asyncio.gather(self._housekeeping, return_exceptions=True)
            )
            await _bounded("consumer", self.consumer.stop())
        if self.relay is not None:
            await _bounded("relay", self.relay.stop())
        await _bounded("broker", self.broker.stop())
        await _bounded("reads", self.reads.close())
        await _bounded("engine", self.engine.dispose())

    async def _purge_processed_events_hourly(self) -> None:
        while True:
            try:
                await self.purge_processed_events()
            except Exception:
                logger.warning("purging processed events failed", exc_info=True)
            await asyncio.sleep(3600)

    async def purge_processed_events(self) -> int:
        """Forget processed event ids past the retention, keeping every id an event waiting in
        the DLQ could need (docs/reliability.md, item 39). Without the broker the DLQ cannot be
        read, so nothing is forgotten that time."""
        assert self.consumer is not None
        connection = self.broker.connection
        if connection is None or connection.is_closed:
            logger.info("broker unavailable: processed event ids kept until the next purge")
            return 0
        keep_since = await dlq.oldest_event_time(connection, self.topology.queue)
        async with self.sessionmaker.begin() as session:
            purged = await purge_processed_events(
                session,
                self.consumer.processed_events,
                self.settings.retention_days,
                keep_since=keep_since,
            )
        if purged:
            logger.info("forgot %d processed event ids past retention", purged)
        return purged

    def metrics_probes(self, outbox: Table | None) -> list[metrics.Probe]:
        """What a scrape reads fresh: the outbox backlog, and the depth of the queue and DLQ."""
        service = self.settings.service_name
        probes: list[metrics.Probe] = []
        if outbox is not None:
            probes.append(partial(metrics.outbox_backlog, service, self.sessionmaker, outbox))
        if self.consumer is not None:
            probes.append(partial(metrics.queue_depths, service, self.broker))
        return probes

    async def database_ready(self) -> bool:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True

    async def broker_ready(self) -> bool:
        return self.broker.is_connected


STOP_STEP_SECONDS = 5.0


async def _bounded(step: str, awaitable) -> None:
    """Await one shutdown step for at most `STOP_STEP_SECONDS`; a hung step is logged, not
    waited for."""
    try:
        await asyncio.wait_for(awaitable, STOP_STEP_SECONDS)
    except TimeoutError:
        logger.warning("shutdown step %s did not finish in %.0f s", step, STOP_STEP_SECONDS)


@asynccontextmanager
async def _token_verifier(
    settings: ServiceSettings, given: TokenVerifier | None
) -> AsyncIterator[TokenVerifier]:
    """The caller's verifier as is, or one on auth's JWKS whose HTTP client closes at shutdown."""
    if given is not None:
        yield given
        return
    verifier = TokenVerifier.from_settings(settings)
    try:
        yield verifier
    finally:
        await verifier.aclose()


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter] = (),
    outbox: Table | None = None,
    processed_events: Table | None = None,
    subscriptions: Subscriptions | None = None,
    token_verifier: TokenVerifier | None = None,
    workers: Sequence[Worker] = (),
    revocations: Table | None = None,
    startup: Sequence[Worker] = (),
) -> FastAPI:
    """A FastAPI app with logs, tracing, request ids, problem+json, health and messaging wired.

    Access tokens are verified against auth's JWKS (`settings.auth_jwks_url`) unless the caller
    passes its own `token_verifier` (auth does, with its own keys); the caller then closes it.
    With a `revocations` table, tokens of revoked sessions are refused (security/revocation.py).
    A verifier on auth's JWKS refetches it every `jwks_refresh_seconds` and when auth announces
    a key rotation (security/key_rotation.py). `startup` steps run before the first request.
    """
    configure_logging(settings.service_name, settings.log_level, json=settings.log_json)
    configure_tracing(settings.service_name)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with _token_verifier(settings, token_verifier) as verifier:
            app.state.token_verifier = verifier
            runtime = ServiceRuntime(
                settings,
                outbox=outbox,
                processed_events=processed_events,
                subscriptions=subscriptions or {},
                workers=workers,
                revocations=revocations,
                startup=startup,
                key_source=verifier.keys,
            )
            app.state.runtime = runtime
            app.state.revocations = runtime.revocations
            app.state.health_checks = {
                "database": runtime.database_ready,
                "broker": runtime.broker_ready,
            }
            app.state.metrics_probes = runtime.metrics_probes(outbox)
            await runtime.start()
            logger.info("%s started on port %s", settings.service_name, settings.port)
            try:
                yield
            finally:
                await runtime.stop()
                shutdown_tracing()
                logger.info("%s stopped", settings.service_name)

    app = FastAPI(
        title=title,
        description=description,
        version="1.0.0",
        lifespan=lifespan,
        telemetry=FASTAPI_NATIVE_TELEMETRY_OFF,
        dependencies=[Depends(refuse_unstorable_parameters)],
    )
    app.state.settings = settings
    app.state.service_name = settings.service_name
    install_problem_handlers(app)
    app.include_router(health_router())
    app.include_router(metrics_router())
    for router in routers:
        app.include_router(router)
    install_request_context(app)
    return app
