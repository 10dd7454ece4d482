"""One trace from the gateway, through the service that handles the request, across the broker
into the service that consumes the event it published (spans asserted in memory)."""

import asyncio
import socket
import uuid
from datetime import UTC, datetime

import httpx
import pytest
import uvicorn
from asgi_lifespan import LifespanManager
from fastapi import APIRouter
from opentelemetry import trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from auth.db import outbox as auth_outbox
from auth.settings import Settings as AuthSettings
from gateway.main import create_app as create_gateway
from gateway.settings import Settings as GatewaySettings
from planner.main import create_app as create_planner
from planner.settings import Settings as PlannerSettings
from schediora_contracts import UserRegistered
from schediora_runtime.deps import SessionDep
from schediora_runtime.messaging.outbox import record_event
from schediora_runtime.service import create_service_app
from schediora_runtime.tracing import configure_tracing
from schediora_testkit import testing

SERVER, CLIENT, PRODUCER, CONSUMER = (
    trace.SpanKind.SERVER,
    trace.SpanKind.CLIENT,
    trace.SpanKind.PRODUCER,
    trace.SpanKind.CONSUMER,
)


@pytest.fixture
def spans():
    provider = configure_tracing("tests")
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield exporter
    exporter.shutdown()


def _auth_with_a_publishing_route(settings: AuthSettings):
    """auth's own wiring plus one route that writes UserRegistered, as register will."""
    router = APIRouter(prefix="/api/v1/auth")

    @router.post("/probe", status_code=202)
    async def probe(session: SessionDep) -> dict[str, str]:
        user_id = uuid.uuid4()
        event = UserRegistered(
            user_id=user_id, email="trace@example.com", registered_at=datetime.now(UTC)
        )
        await record_event(session, auth_outbox, event, producer="auth")
        return {"user_id": str(user_id)}

    return create_service_app(
        settings, title="auth", description="auth", routers=[router], outbox=auth_outbox
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_trace_spans_gateway_service_broker_and_consumer(test_database, spans):
    exchange = testing.unique_name("trace")
    auth_port = _free_port()
    auth_app = _auth_with_a_publishing_route(
        AuthSettings(
            port=auth_port,
            database_url=testing.database_url("auth"),
            events_exchange=exchange,
            log_json=False,
        )
    )
    planner_settings = PlannerSettings(
        database_url=testing.database_url("planner"),
        events_exchange=exchange,
        queue_name=f"{exchange}.planner",
        log_json=False,
    )
    planner_app = create_planner(planner_settings)
    gateway_app = create_gateway(
        GatewaySettings(auth_url=f"http://127.0.0.1:{auth_port}", log_json=False)
    )
    auth_server = uvicorn.Server(
        uvicorn.Config(auth_app, port=auth_port, log_config=None, lifespan="on")
    )
    auth_task = asyncio.create_task(auth_server.serve())
    try:
        async with LifespanManager(planner_app), LifespanManager(gateway_app) as gateway:
            while not auth_server.started:
                await asyncio.sleep(0.05)
            consumer = planner_app.state.runtime.consumer

            async def consuming():
                return consumer.queue is not None

            await testing.eventually(consuming)
            transport = httpx.ASGITransport(app=gateway.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                response = await client.post("/api/v1/auth/probe")
            assert response.status_code == 202

            async def processed():
                # The consumer may finish before the relay's publish span ends (that waits for
                # the broker's confirm), so wait for both.
                kinds = {s.kind for s in spans.get_finished_spans()}
                return {PRODUCER, CONSUMER} <= kinds

            await testing.eventually(processed)
    finally:
        auth_server.should_exit = True
        await auth_task
        await _delete(planner_settings)

    finished = spans.get_finished_spans()
    gateway_server = next(
        s
        for s in finished
        if s.kind == SERVER
        and s.resource.attributes["service.name"]
        and s.name.startswith("POST")
        and s.parent is None
    )
    trace_id = gateway_server.context.trace_id
    in_trace = [s for s in finished if s.context.trace_id == trace_id]
    kinds = {(s.kind, s.name.split(" ")[0]) for s in in_trace}
    assert (CLIENT, "POST") in kinds, "the gateway's upstream call is in the trace"
    assert sum(1 for s in in_trace if s.kind == SERVER and s.name.startswith("POST")) == 2, (
        "both the gateway and auth served the request in one trace"
    )
    publish = next(s for s in in_trace if s.kind == PRODUCER)
    process = next(s for s in in_trace if s.kind == CONSUMER)
    assert publish.name == "auth.user_registered publish"
    assert process.name == "auth.user_registered process"
    assert process.parent.span_id == publish.context.span_id


async def _delete(settings: PlannerSettings) -> None:
    await testing.delete_broker_objects(
        [settings.service_queue, f"{settings.service_queue}.dlq"],
        [settings.events_exchange, f"{settings.service_queue}.dlx"],
    )
