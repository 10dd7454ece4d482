"""ai test fixtures: the app on the real test database and its own broker names."""

import pytest

from ai.main import create_app
from ai.settings import Settings
from schediora_testkit import testing
from schediora_testkit.tokens import SigningKey, static_verifier


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
    async with testing.consuming(app, settings):
        yield app
