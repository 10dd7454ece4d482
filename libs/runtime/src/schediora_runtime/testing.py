"""Test support shared by every package's suite: the real test database and broker.

Not imported by service code. Tests talk to the real PostgreSQL and RabbitMQ (DESIGN.md):
`TEST_DATABASE_NAME` (default `schediora_test`) is created by the bootstrap, and every test
that touches the broker uses its own exchange and queue names, so suites run side by side.
"""

import asyncio
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import psycopg
from alembic import command
from alembic.config import Config

from schediora_runtime.bootstrap import ADMIN_URL, bootstrap, role_name

REPO_ROOT = Path(__file__).resolve().parents[4]
SERVICES = ("auth", "planner", "ai")


def admin_url() -> str:
    return os.environ.get("DATABASE_ADMIN_URL", ADMIN_URL)


def test_database_name() -> str:
    return os.environ.get("TEST_DATABASE_NAME", "schediora_test")


def database_url(service: str | None = None, database: str | None = None) -> str:
    """SQLAlchemy URL of the test database, as the service's own role (superuser if None)."""
    host = os.environ.get("TEST_DATABASE_HOST", "127.0.0.1:5432")
    user = role_name(service) if service else "postgres"
    return f"postgresql+psycopg://{user}@{host}/{database or test_database_name()}"


def libpq_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def prepare_test_database(services: tuple[str, ...] = SERVICES) -> None:
    """Create the test database and service roles/schemas, then migrate each service to head."""
    bootstrap(admin_url(), test_database_name(), list(services))
    for service in services:
        migrate(service, "head")


def alembic_config(service: str, url: str | None = None) -> Config:
    service_dir = REPO_ROOT / "services" / service
    config = Config(str(service_dir / "alembic.ini"))
    config.set_main_option("script_location", str(service_dir / "migrations"))
    config.attributes["database_url"] = url or database_url(service)
    return config


def migrate(service: str, revision: str = "head", url: str | None = None) -> None:
    command.upgrade(alembic_config(service, url), revision)


def reset_schema(service: str, database: str | None = None) -> None:
    """Drop and recreate a service's schema (owned by its role), leaving it empty."""
    with psycopg.connect(libpq_url(database_url(None, database)), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{service}" CASCADE')
        conn.execute(f'CREATE SCHEMA "{service}" AUTHORIZATION "{role_name(service)}"')


def unique_name(prefix: str) -> str:
    return f"test.{prefix}.{uuid.uuid4().hex[:10]}"


def rabbitmqctl(*args: str, timeout: float = 60) -> str:
    """Run rabbitmqctl (the local broker's CLI) and return its output."""
    executable = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
    result = subprocess.run(
        [executable, *args], capture_output=True, text=True, timeout=timeout, check=True
    )
    return result.stdout


async def eventually(
    check: Callable[[], Awaitable[bool]], timeout: float = 15.0, interval: float = 0.05
) -> None:
    """Wait until `check()` is true; fail the test with a clear message at `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s: {check.__qualname__}")
