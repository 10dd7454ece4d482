""".env.example at the repository root lists every variable of every service's Settings, says
what each means, and gives values the Settings accept."""

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("gateway", "auth", "planner", "ai")
# Read by something other than a Settings class: the OpenTelemetry SDK, `make db` and the
# bootstrap, the test suite.
OTHER_VARIABLES = {
    "OTEL_TRACES_EXPORTER",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_TRACES_SAMPLER",
    "OTEL_SERVICE_NAME",
    "OTEL_SDK_DISABLED",
    "DATABASE_ADMIN_URL",
    "AUTH_DATABASE_PASSWORD",
    "PLANNER_DATABASE_PASSWORD",
    "AI_DATABASE_PASSWORD",
    "TEST_DATABASE_NAME",
}
_VARIABLE = re.compile(r"^#? ?([A-Z][A-Z0-9_]*)=(.*)$")


def settings_class(service: str):
    return importlib.import_module(f"{service}.settings").Settings


def example() -> list[str]:
    return (ROOT / ".env.example").read_text().splitlines()


def listed() -> dict[str, str]:
    """Each variable of .env.example and its example value."""
    found: dict[str, str] = {}
    for line in example():
        if match := _VARIABLE.match(line):
            assert match.group(1) not in found, f"{match.group(1)} listed twice"
            found[match.group(1)] = match.group(2)
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_every_setting_of_the_service_is_in_env_example(service):
    variables = {field.upper() for field in settings_class(service).model_fields}
    assert variables - listed().keys() == set()


def test_env_example_lists_nothing_that_nothing_reads():
    read = set(OTHER_VARIABLES)
    for service in SERVICES:
        read |= {field.upper() for field in settings_class(service).model_fields}
    assert listed().keys() - read == set()


def test_every_variable_comes_with_what_it_means():
    """Each run of variable lines follows at least one line of explanation."""
    explained = False
    for line in example():
        if _VARIABLE.match(line):
            assert explained, f"no explanation before {line!r}"
        else:
            explained = line.startswith("# ") and len(line) > 2
        if not line:
            explained = False


@pytest.mark.parametrize("service", SERVICES)
def test_the_example_values_are_accepted_by_the_settings(service, monkeypatch):
    settings = settings_class(service)
    for field in settings.model_fields:
        monkeypatch.delenv(field.upper(), raising=False)
    fields = {field.upper() for field in settings.model_fields}
    values = {name: value for name, value in listed().items() if name in fields and value}
    values.pop("SERVICE_NAME")  # each service keeps its own
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    # Building them is the check: a value a field refuses raises.
    built = settings(_env_file=None)
    assert built.service_name == service
    assert built.port == int(values["PORT"])
