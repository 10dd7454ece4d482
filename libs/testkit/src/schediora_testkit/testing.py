"""Test support shared by every package's suite: the real test database and broker.

Not imported by service code. Tests talk to the real PostgreSQL and RabbitMQ (DEVELOPERS.md):
`TEST_DATABASE_NAME` (default `schediora_test`) is created by the bootstrap, and every test
that touches the broker uses its own exchange and queue names, so suites run side by side.
"""

import asyncio
import fcntl
import json
import logging
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, TypeVar

import aio_pika
import psycopg
from alembic import command
from alembic.config import Config

from schediora_contracts import EventEnvelope
from schediora_runtime.bootstrap import ADMIN_URL, bootstrap, role_name
from schediora_runtime.messaging.codec import encode

_T = TypeVar("_T")
logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[4]
SERVICES = ("auth", "planner", "ai")


def admin_url() -> str:
    return os.environ.get("DATABASE_ADMIN_URL", ADMIN_URL)


def test_database_name() -> str:
    return os.environ.get("TEST_DATABASE_NAME", "schediora_test")


def database_url(service: str | None = None, database: str | None = None) -> str:
    """SQLAlchemy URL of the test database, as the service's own role (superuser if None)."""
    host = os.environ.get("TEST_DATABASE_HOST", "127.0.0.1:5432")
    user = role_name(service) if service else "postgres"
    return f"postgresql+psycopg://{user}@{host}/{database or test_database_name()}"


def libpq_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def prepare_test_database(services: tuple[str, ...] = SERVICES) -> None:
    """Create the test database and service roles/schemas, then migrate each service to head.
    A schema another branch migrated (a revision this checkout does not have, or one numbered
    the same but different) cannot be upgraded: a test database is disposable, so it is dropped
    and migrated from scratch."""
    bootstrap(admin_url(), test_database_name(), list(services))
    for service in services:
        try:
            migrate(service, "head")
        except Exception as exc:
            logging.getLogger(__name__).warning(
                "test schema %s could not be upgraded (%r): recreating it", service, exc
            )
            reset_schema(service)
            migrate(service, "head")


def alembic_config(service: str, url: str | None = None) -> Config:
    service_dir = REPO_ROOT / "services" / service
    config = Config(str(service_dir / "alembic.ini"))
    config.set_main_option("script_location", str(service_dir / "migrations"))
    config.attributes["database_url"] = url or database_url(service)
    return config


def migrate(service: str, revision: str = "head", url: str | None = None) -> None:
    command.upgrade(alembic_config(service, url), revision)


def reset_schema(service: str, database: str | None = None) -> None:
    """Drop and recreate a service's schema (owned by its role), leaving it empty."""
    with psycopg.connect(libpq_url(database_url(None, database)), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{service}" CASCADE')
        conn.execute(f'CREATE SCHEMA "{service}" AUTHORIZATION "{role_name(service)}"')


def unique_name(prefix: str) -> str:
    return f"test.{prefix}.{uuid.uuid4().hex[:10]}"


def broker_url() -> str:
    return os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")


def rabbitmqctl(*args: str, timeout: float = 60) -> str:
    """Run rabbitmqctl (the local broker's CLI) and return its output."""
    executable = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
    result = subprocess.run(  # noqa: S603 - a fixed executable; arguments come from test code
        [executable, *args], capture_output=True, text=True, timeout=timeout, check=True
    )
    return result.stdout


def list_queues(*columns: str) -> dict[str, dict[str, object]]:
    """`rabbitmqctl list_queues name <columns>` keyed by queue name; `arguments` as a dict."""
    output = rabbitmqctl("list_queues", "--quiet", "--formatter", "json", "name", *columns)
    queues = {}
    for row in json.loads(output or "[]"):
        if "arguments" in row:
            # rabbitmqctl prints arguments as [name, AMQP type, value] triples.
            row["arguments"] = {name: value for name, _type, value in row["arguments"]}
        queues[row["name"]] = row
    return queues


def close_connections(connection_name: str, reason: str = "closed by a test") -> int:
    """Force-close (server side) the broker connections with this `connection_name`."""
    marker = f'{{"connection_name","{connection_name}"}}'
    listing = rabbitmqctl(
        "list_connections", "--quiet", "--no-table-headers", "pid", "client_properties"
    )
    pids = [line.split("\t", 1)[0] for line in listing.splitlines() if marker in line]
    for pid in pids:
        rabbitmqctl("close_connection", pid, reason)
    return len(pids)


# RabbitMQ 3.10 (and up to at least 4.2) can lose the supervisor of its at-least-once
# dead-letter workers for good when several workers crash at once, e.g. when a queue is deleted
# right after `start_app` while its worker checks in. Every at-least-once queue then fails to
# elect a leader: https://github.com/rabbitmq/rabbitmq-server/issues/16652
_REPAIR_DEAD_LETTER_WORKERS = """
case whereis(rabbit_fifo_dlx_sup) of
    undefined ->
        supervisor:restart_child(rabbit_sup, rabbit_fifo_dlx_sup),
        [begin
             {Name, _} = amqqueue:get_pid(Q),
             rabbit_quorum_queue:stop_server({Name, node()}),
             rabbit_quorum_queue:restart_server({Name, node()})
         end || Q <- rabbit_amqqueue:list(), amqqueue:get_type(Q) =:= rabbit_quorum_queue],
        repaired;
    _ ->
        healthy
end.
"""


def repair_dead_letter_workers() -> bool:
    """Restart the broker's dead-letter worker supervisor if it died; True if it had to."""
    return rabbitmqctl("eval", _REPAIR_DEAD_LETTER_WORKERS).strip() == "repaired"


BROKER_LOCK = Path(
    os.environ.get("SCHEDIORA_BROKER_LOCK", Path(tempfile.gettempdir()) / "schediora-broker.lock")
)
"""`make test` runs two pytest processes side by side (the end-to-end modules beside the rest);
a broker restart in one must not land in the middle of a scenario of the other."""


BROKER_RESTARTS_LOCK = BROKER_LOCK.with_name(BROKER_LOCK.name + ".restarts")
"""Held by a module that restarts the broker itself, for as long as it runs: two such modules
in two test processes (a developer's run beside CI's) would each restart the broker under the
other's stack."""


@contextmanager
def broker_held() -> Iterator[None]:
    """Hold the machine-wide broker lock: no test process stops the broker meanwhile (an
    end-to-end module holds it while its stack runs; `broker_stopped` takes it to stop it)."""
    with _exclusively(BROKER_LOCK):
        yield


@contextmanager
def broker_restarts_held() -> Iterator[None]:
    """Be the only module on the machine that restarts the broker, for the block."""
    with _exclusively(BROKER_RESTARTS_LOCK):
        yield


@contextmanager
def _exclusively(lock: Path) -> Iterator[None]:
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@asynccontextmanager
async def broker_stopped() -> AsyncIterator[None]:
    """Stop the local RabbitMQ application for the block; always start it again afterwards.
    Waits first until no other test process runs a scenario that needs the broker up."""
    holding = broker_held()
    await asyncio.to_thread(holding.__enter__)
    try:
        async with _broker_stopped():
            yield
    finally:
        holding.__exit__(None, None, None)


@asynccontextmanager
async def _broker_stopped() -> AsyncIterator[None]:
    await asyncio.to_thread(rabbitmqctl, "stop_app")
    try:
        yield
    finally:
        await asyncio.to_thread(rabbitmqctl, "start_app")
        await wait_for_broker(timeout=60)
        # Let recovered quorum queues elect leaders and check their dead-letter workers in
        # before anything deletes them (see above), then make sure none was lost.
        await asyncio.sleep(1.0)
        if await asyncio.to_thread(repair_dead_letter_workers):
            logger.warning("restarted RabbitMQ's dead-letter worker supervisor after start_app")


async def wait_for_broker(url: str | None = None, timeout: float = 60.0) -> None:  # noqa: ASYNC109
    """Return once the broker accepts AMQP connections again (e.g. after `start_app`)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            connection = await aio_pika.connect(url or broker_url(), timeout=5)
        except (OSError, aio_pika.exceptions.AMQPError, TimeoutError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)
        else:
            await connection.close()
            return


async def delete_broker_objects(
    queues: list[str], exchanges: list[str], url: str | None = None
) -> None:
    """Delete a test's queues and exchanges; names that do not exist are skipped."""
    connection = await aio_pika.connect(url or broker_url())
    async with connection:
        for name in queues:
            channel = await connection.channel()
            await channel.queue_delete(name)
            await channel.close()
        for name in exchanges:
            channel = await connection.channel()
            await channel.exchange_delete(name)
            await channel.close()


async def eventually(
    check: Callable[[], Awaitable[_T]],
    timeout: float = 15.0,  # noqa: ASYNC109 - the deadline is part of the failure message
    interval: float = 0.05,
) -> _T:
    """Wait until `check()` returns something true, and return it; fail the test with a clear
    message at `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := await check():
            return result
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s: {check.__qualname__}")


async def publish(rabbitmq_url: str, exchange_name: str, *envelopes: EventEnvelope) -> None:
    """Publish envelopes as a producer's relay would: persistent, mandatory, confirmed."""
    connection = await aio_pika.connect(rabbitmq_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        exchange = await channel.get_exchange(exchange_name)
        for envelope in envelopes:
            await exchange.publish(
                aio_pika.Message(
                    encode(envelope),
                    message_id=str(envelope.event_id),
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key=envelope.routing_key,
                mandatory=True,
            )


@asynccontextmanager
async def consuming(app: Any, settings: Any) -> AsyncIterator[Any]:
    """A service app through its lifespan, yielded once its consumer has its queue; the test's
    own broker objects (`settings`' queue, DLQ, exchange and DLX) are deleted afterwards."""
    from asgi_lifespan import LifespanManager  # a test dependency: imported only when used

    try:
        async with LifespanManager(app, startup_timeout=30, shutdown_timeout=30):
            consumer = app.state.runtime.consumer

            async def ready() -> bool:
                return consumer.queue is not None

            await eventually(ready)
            yield app
    finally:
        await delete_broker_objects(
            [settings.service_queue, f"{settings.service_queue}.dlq"],
            [settings.events_exchange, f"{settings.service_queue}.dlx"],
        )


@asynccontextmanager
async def serving(app: Any, *, lifespan: str = "off") -> AsyncIterator[str]:
    """`app` behind a real uvicorn server (httptools, as `serve` runs it) on a free port; its
    base URL. For what httpx's in-process transport cannot show: a streamed answer arrives
    whole through it. `lifespan="on"` runs the app's lifespan too."""
    import uvicorn  # every service's runtime has it; imported only by the tests that serve

    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        http="httptools",
        log_config=None,
        access_log=False,
        lifespan=lifespan,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "uvicorn did not start"
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
