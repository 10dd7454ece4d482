"""The images install a service with its production dependencies only: the testkit (and the test
libraries it pulls in) must never be among them, and no Dockerfile copies it."""

import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("auth", "planner", "ai", "gateway")
TEST_ONLY = {"schediora-testkit", "schemathesis", "aiosmtpd", "hypothesis", "pytest"}


def production_closure(package: str) -> set[str]:
    """Every package `uv sync --no-dev --package <package>` installs, read from uv.lock."""
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    dependencies = {
        entry["name"]: [dependency["name"] for dependency in entry.get("dependencies", [])]
        for entry in lock["package"]
    }
    seen: set[str] = set()
    pending = [package]
    while pending:
        name = pending.pop()
        if name not in seen:
            seen.add(name)
            pending.extend(dependencies.get(name, []))
    return seen


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_image_installs_no_test_tooling(service: str) -> None:
    closure = production_closure(f"schediora-{service}")
    assert "schediora-runtime" in closure  # the walk follows the workspace packages
    assert closure.isdisjoint(TEST_ONLY), sorted(closure & TEST_ONLY)


@pytest.mark.parametrize("service", SERVICES)
def test_no_dockerfile_copies_the_testkit(service: str) -> None:
    dockerfile = (ROOT / "services" / service / "Dockerfile").read_text()
    assert "libs/testkit" not in dockerfile
    assert "--no-dev" in dockerfile
