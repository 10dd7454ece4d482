"""Each of auth, planner and ai boots, is ready against the real database and broker, and
answers errors as problem+json."""

import importlib

import httpx
import pytest
from asgi_lifespan import LifespanManager

from schediora_testkit import testing


def _settings(service, **overrides):
    settings_class = importlib.import_module(f"{service}.settings").Settings
    values = {
        "database_url": testing.database_url(service),
        "events_exchange": testing.unique_name("exchange"),
        "queue_name": testing.unique_name(service),
        "log_json": False,
    } | overrides
    return settings_class(**values)


async def _delete_topology(settings):
    await testing.delete_broker_objects(
        [settings.service_queue, f"{settings.service_queue}.dlq"],
        [settings.events_exchange, f"{settings.service_queue}.dlx"],
    )


@pytest.mark.parametrize("service", testing.SERVICES)
async def test_service_is_ready_with_database_and_broker(test_database, service):
    settings = _settings(service)
    app = importlib.import_module(f"{service}.main").create_app(settings)
    try:
        async with LifespanManager(app) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                assert (await client.get("/health/live")).json() == {
                    "status": "ok",
                    "service": service,
                }
                await app.state.runtime.broker.wait_connected(timeout=15)
                ready = await client.get("/health/ready")
                assert ready.status_code == 200
                assert ready.json()["checks"] == {"database": "ok", "broker": "ok"}
                assert (await client.get("/openapi.json")).json()["info"]["title"] == (
                    f"Schediora {service}"
                )
    finally:
        await _delete_topology(settings)


@pytest.mark.parametrize("service", testing.SERVICES)
async def test_service_is_not_ready_and_names_the_database_when_it_is_unreachable(
    test_database, service
):
    settings = _settings(
        service, database_url=f"postgresql://schediora_{service}@127.0.0.1:1/schediora_test"
    )
    app = importlib.import_module(f"{service}.main").create_app(settings)
    try:
        async with LifespanManager(app) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                await app.state.runtime.broker.wait_connected(timeout=15)
                ready = await client.get("/health/ready")
                assert ready.status_code == 503
                assert ready.json()["checks"] == {"database": "down", "broker": "ok"}
                assert (await client.get("/health/live")).status_code == 200
    finally:
        await _delete_topology(settings)


@pytest.mark.parametrize("service", testing.SERVICES)
async def test_service_is_not_ready_while_the_broker_is_unreachable(test_database, service):
    settings = _settings(service, rabbitmq_url="amqp://guest:guest@127.0.0.1:1/")
    app = importlib.import_module(f"{service}.main").create_app(settings)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            ready = await client.get("/health/ready")
            assert ready.status_code == 503
            assert ready.json()["checks"] == {"database": "ok", "broker": "down"}
