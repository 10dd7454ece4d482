"""ai test fixtures: the app on the real test database and its own broker names."""

import pytest
from asgi_lifespan import LifespanManager

from ai.main import create_app
from ai.settings import Settings
from schediora_runtime import testing
from schediora_runtime.security.testing import SigningKey, static_verifier


@pytest.fixture
def settings(test_database) -> Settings:
    return Settings(
        database_url=testing.database_url("ai"),
        events_exchange=testing.unique_name("exchange"),
        queue_name=testing.unique_name("ai"),
        log_json=False,
    )


@pytest.fixture
def signing_key() -> SigningKey:
    return SigningKey()


@pytest.fixture
async def running_app(settings, signing_key):
    """The ai app through its lifespan: relay and consumer running, queue declared."""
    app = create_app(settings, token_verifier=static_verifier(signing_key))
    try:
        async with LifespanManager(app, startup_timeout=30):
            consumer = app.state.runtime.consumer

            async def consuming():
                return consumer.queue is not None

            await testing.eventually(consuming)
            yield app
    finally:
        await testing.delete_broker_objects(
            [settings.service_queue, f"{settings.service_queue}.dlq"],
            [settings.events_exchange, f"{settings.service_queue}.dlx"],
        )
