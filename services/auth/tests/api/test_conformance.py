"""Schemathesis against auth's OpenAPI document, in process (docs/reliability.md, items 29 and
30): every phase with every check but `positive_data_acceptance`
(`schediora_testkit.conformance.NOT_RUN` says why), as a signed-up user; then a second run
without credentials, in which every secured operation must refuse (0 `ignored_auth` failures;
registration, login and the other public operations answer as usual)."""

import asyncio

import aio_pika

from auth.main import create_app
from schediora_runtime.messaging.topology import Topology, declare_exchange
from schediora_testkit import conformance, testing

from ..conftest import running
from ..factories import register


async def _signed_up(settings) -> dict[str, str]:
    async with running(settings) as (_, client):
        return (await register(client)).bearer


async def _bind_sink(settings, name: str) -> None:
    """Every event auth publishes lands here, so its relay leaves no unroutable rows behind."""
    connection = await aio_pika.connect(settings.rabbitmq_url)
    async with connection:
        channel = await connection.channel()
        await declare_exchange(channel, Topology(exchange=settings.events_exchange, queue=name))
        queue = await channel.declare_queue(name, durable=False, auto_delete=False)
        await queue.bind(settings.events_exchange, routing_key="#")


def test_auth_answers_as_its_openapi_document_says(settings):
    headers = asyncio.run(_signed_up(settings))
    sink = testing.unique_name("auth-sink")
    asyncio.run(_bind_sink(settings, sink))
    try:
        app = create_app(settings)
        # The document holds logout-all, the password change and account deletion: once the
        # run has sent one of them its token is revoked, and what follows is a 401, invalid
        # data included.
        run = conformance.run_asgi(
            app, headers=headers, max_examples=25, refusals=(400, 401, 415, 422)
        )
        anonymous = conformance.run_asgi(
            app, headers={}, max_examples=5, coverage=False, refusals=(400, 401, 415, 422)
        )
    finally:
        conformance.stop_asgi_apps()
        asyncio.run(testing.delete_broker_objects([sink], [settings.events_exchange]))
    print(f"\nauth: {run.summary()}\nauth without credentials: {anonymous.summary()}")
    print(
        "FIGURES auth checks passed/failed: "
        + run.passed_and_failed(*conformance.KEY_CHECKS)
        + "; without credentials: "
        + anonymous.passed_and_failed("ignored_auth")
    )
    assert run.statuses[200] > 0  # the signed-up user's token is accepted
    assert not run.failures, run.report()
    assert not run.errors, run.report()
    for check in ("negative_data_rejection", "ignored_auth"):
        assert run.checks[f"{check} success"] > 0, run.checks
    assert anonymous.statuses[401] > 0
    assert anonymous.checks["ignored_auth success"] > 0
    assert not anonymous.failures, anonymous.report()
    assert not anonymous.errors, anonymous.report()
