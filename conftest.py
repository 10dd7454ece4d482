"""Fixtures every suite of the workspace can use: the migrated test database."""

import os

import pytest

# Tests assert on recorded spans; without an exporter the services would record none.
os.environ.setdefault("OTEL_TRACES_SAMPLER", "always_on")

from schediora_testkit import testing


@pytest.fixture(scope="session")
def test_database() -> str:
    """The test database with every service migrated to head (once per test session)."""
    testing.prepare_test_database()
    return testing.test_database_name()
