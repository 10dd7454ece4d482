"""Schemathesis against auth's OpenAPI document, in process: no 5xx, undocumented status,
content type or body, in any phase."""

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
        run = conformance.run_asgi(create_app(settings), headers=headers, max_examples=25)
    finally:
        conformance.stop_asgi_apps()
        asyncio.run(testing.delete_broker_objects([sink], [settings.events_exchange]))
    print(f"\nauth: {run.summary()}")
    assert run.statuses[200] > 0  # the signed-up user's token is accepted
    assert not run.failures, run.report()
    assert not run.errors, run.report()
