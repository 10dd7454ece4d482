"""Auth test fixtures: the app on the real test database, cheap Argon2, a throwaway key."""

import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import aio_pika
import httpx
import pytest
from argon2 import profiles
from asgi_lifespan import LifespanManager
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI

from auth.main import create_app
from auth.settings import Settings
from auth.signing.keys import private_pem
from schediora_runtime.clock import Clock, utc_now
from schediora_testkit import testing
from schediora_testkit.devmail import MailCatcher

SIGNING_KEY = Ed25519PrivateKey.generate()

MAILBOX = MailCatcher()
"""A real SMTP server in process, where every auth app of the test session sends its mails."""

# argon2-cffi's CHEAPEST profile ("only for testing!"): only the Argon2-parameter, timing and
# DoS tests hash with real parameters (auth README: Passwords).
CHEAP_HASHING = {
    "password_time_cost": profiles.CHEAPEST.time_cost,
    "password_memory_kib": profiles.CHEAPEST.memory_cost,
    "password_parallelism": profiles.CHEAPEST.parallelism,
}
# The production defaults.
REAL_HASHING = {name: Settings.model_fields[name].default for name in CHEAP_HASHING}


def make_settings(**overrides) -> Settings:
    values = {
        "database_url": testing.database_url("auth"),
        "events_exchange": testing.unique_name("exchange"),
        "queue_name": testing.unique_name("auth"),
        "log_json": False,
        "environment": "test",
        "jwt_signing_key": private_pem(SIGNING_KEY).decode(),
        "smtp_host": MAILBOX.host,
        "smtp_port": MAILBOX.port,
        "mail_poll_interval_seconds": 0.1,
        **CHEAP_HASHING,
    } | overrides
    return Settings(**values)


def client_address() -> str:
    """A documentation-range address of its own, so tests never share an address throttle."""
    return f"198.51.{random.randrange(256)}.{random.randrange(1, 255)}"


@dataclass
class MovableClock:
    """Real time plus an offset that a test moves forward."""

    offset: timedelta = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


@asynccontextmanager
async def running(
    settings: Settings, clock: Clock = utc_now, *, mail_worker: bool = False
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The app through its lifespan and a client that speaks to it in process; with
    `mail_worker`, it sends queued mails to `MAILBOX` (tests of mail ask for it)."""
    app = create_app(settings, clock=clock, mail_worker=mail_worker)
    sink = testing.unique_name("auth-sink")
    try:
        async with LifespanManager(app, startup_timeout=30, shutdown_timeout=30) as manager:
            # Stopping a broker client that is still connecting leaves aio-pika callbacks behind
            # on a closed loop; every test starts from a connected app instead.
            await app.state.runtime.broker.wait_connected(timeout=30)
            await _bind_sink(settings, sink)
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(
                transport=transport,
                base_url="http://auth.test",
                headers={"X-Forwarded-For": client_address()},
            ) as client:
                yield app, client
    finally:
        await testing.delete_broker_objects([sink], [settings.events_exchange])


async def _bind_sink(settings: Settings, name: str) -> None:
    """A queue that takes every event, so the relay publishes rather than retrying unroutable
    rows (and leaving them to whichever test or process relays next)."""
    connection = await aio_pika.connect(settings.rabbitmq_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(name, durable=False, auto_delete=False)
        await queue.bind(settings.events_exchange, routing_key="#")


@pytest.fixture(scope="session", autouse=True)
def mailbox() -> MailCatcher:
    MAILBOX.start()
    yield MAILBOX
    MAILBOX.stop()


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def settings(test_database) -> Settings:
    return make_settings()


@pytest.fixture
async def app_and_client(
    request, settings, clock
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    mail_worker = request.node.get_closest_marker("mail") is not None
    async with running(settings, clock, mail_worker=mail_worker) as both:
        yield both


@pytest.fixture
def app(app_and_client) -> FastAPI:
    return app_and_client[0]


@pytest.fixture
def client(app_and_client) -> httpx.AsyncClient:
    return app_and_client[1]
