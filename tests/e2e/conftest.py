"""The four services as real processes on the real PostgreSQL and RabbitMQ, traced over OTLP."""

import asyncio

import aio_pika
import httpx
import pytest

from schediora_testkit import fake_llm, testing
from schediora_testkit.devmail import MailCatcher
from schediora_testkit.devstack import Stack

from . import service_tables
from .otlp import OtlpReceiver


@pytest.fixture(scope="module", autouse=True)
def broker_kept_up(request):
    """While a module's stacks run, no other test process restarts the broker (`make test` runs
    these modules beside the rest). A module that restarts the broker itself says so with
    `RESTARTS_THE_BROKER = True` and runs in the other process; it holds the restarts lock
    instead, so no other test process on the machine restarts the broker under its stack."""
    if getattr(request.module, "RESTARTS_THE_BROKER", False):
        with testing.broker_restarts_held():
            yield
        return
    with testing.broker_held():
        yield


@pytest.fixture(scope="module")
def otlp():
    receiver = OtlpReceiver()
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="module")
def mailbox():
    """The SMTP server auth sends the stack's mails to (a real one, in process)."""
    catcher = MailCatcher()
    catcher.start()
    yield catcher
    catcher.stop()


@pytest.fixture(scope="module")
def llm():
    """A fake OpenAI-compatible server in this process, for a module whose ai asks an LLM."""
    server = fake_llm.FakeLLM()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def stack(test_database, otlp, mailbox, tmp_path_factory):
    stack = Stack(
        tmp_path_factory.mktemp("e2e-logs"),
        extra_env={
            "OTEL_TRACES_EXPORTER": "otlp",
            "OTEL_EXPORTER_OTLP_ENDPOINT": otlp.endpoint,
            "OTEL_BSP_SCHEDULE_DELAY": "100",
            "SMTP_HOST": mailbox.host,
            "SMTP_PORT": str(mailbox.port),
            "MAIL_POLL_INTERVAL_SECONDS": "0.2",
            # Every client here is 127.0.0.1 and the test database outlives a run, so the
            # per-address hourly limits would count earlier runs' requests; the per-email and
            # per-user limits are what these modules assert (auth's tests cover the others).
            "FORGOT_PER_ADDRESS": "100000",
            "LOGIN_FAILURES_PER_ADDRESS": "100000",
            "REGISTER_CONFLICTS_PER_ADDRESS": "100000",
            "VERIFICATION_RESENDS_PER_ADDRESS": "100000",
        },
    )
    try:
        stack.start(180)  # importing a service took 46 s on the loaded shared box
        yield stack
    finally:
        stack.stop()
        asyncio.run(_delete_queues(stack))


async def _delete_queues(stack: Stack) -> None:
    connection = await aio_pika.connect("amqp://guest:guest@127.0.0.1:5672/")
    async with connection:
        channel = await connection.channel()
        for queue in stack.queues():
            await channel.queue_delete(queue)


@pytest.fixture
async def api(stack):
    """A client of the module's stack, through the gateway's public API."""
    async with httpx.AsyncClient(base_url=f"{stack.gateway}/api/v1", timeout=30) as client:
        yield client


@pytest.fixture
async def db(stack):
    """An engine on the module's stack's database, to read the services' tables."""
    engine = service_tables.engine(stack.database)
    yield engine
    await engine.dispose()
