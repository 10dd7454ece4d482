"""Planner test fixtures: the app on the real test database and its own broker names."""

import pytest

from planner.main import create_app
from planner.settings import Settings
from schediora_testkit import testing
from schediora_testkit.tokens import SigningKey, static_verifier


@pytest.fixture
def settings(test_database) -> Settings:
    return Settings(
        database_url=testing.database_url("planner"),
        events_exchange=testing.unique_name("exchange"),
        queue_name=testing.unique_name("planner"),
        log_json=False,
        # Tests fix the clock of requests, not of the deadline worker: they call the worker's
        # use case themselves (the end-to-end tests run it for real).
        job_sweep_interval_seconds=3600,
    )


@pytest.fixture
def signing_key() -> SigningKey:
    """Auth's signing key, as far as this app knows: the app trusts exactly this key."""
    return SigningKey()


@pytest.fixture
async def running_app(settings, signing_key):
    """The planner app through its lifespan: relay and consumer running, queue declared."""
    app = create_app(settings, token_verifier=static_verifier(signing_key))
    async with testing.consuming(app, settings):
        yield app
