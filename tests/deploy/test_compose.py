"""docker-compose.yml and the Dockerfiles agree with the code: ports, variables, upstream URLs,
database roles, health checks, images and the order in which things start."""

import importlib
import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BACKENDS = ("auth", "planner", "ai")
SERVICES = ("gateway", *BACKENDS)
# Read by schediora_runtime.tracing rather than by Settings (README.md, "Environment variables").
EXTRA_VARIABLES = {
    "OTEL_TRACES_EXPORTER",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_SERVICE_NAME",
    "OTEL_SDK_DISABLED",
}
_VARIABLE = re.compile(r"\$\{(\w+)(?::?-([^}]*))?\}")


def _interpolate(value: str) -> str:
    """What compose makes of `${NAME:-default}` when NAME is not set."""
    return _VARIABLE.sub(lambda match: match.group(2) or "", value)


def _settings_class(service: str):
    return importlib.import_module(f"{service}.settings").Settings


def _default_port(service: str) -> int:
    return _settings_class(service).model_fields["port"].default


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _service(compose: dict, name: str) -> dict:
    assert name in compose["services"], f"docker-compose.yml has no service {name!r}"
    return compose["services"][name]


def _environment(service: dict) -> dict[str, str]:
    environment = service.get("environment", {})
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {name: _interpolate(str(value)) for name, value in environment.items()}


def _port_mappings(service: dict) -> list[tuple[int, int]]:
    """(published, container) for each entry of `ports:`, short or long syntax."""
    mappings = []
    for entry in service.get("ports", []):
        if isinstance(entry, dict):
            mappings.append((int(entry["published"]), int(entry["target"])))
        else:
            *_, published, target = str(entry).split(":")
            mappings.append((int(published), int(target)))
    return mappings


def _command(service: dict) -> list[str]:
    command = service.get("command", [])
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


def _dockerfile(service: dict) -> Path:
    build = service["build"]
    assert build["context"] == ".", "images are built from the repository root"
    return ROOT / build["dockerfile"]


def _settings_from(environment: dict[str, str], settings_class, monkeypatch):
    """The Settings a container with exactly this environment would build."""
    for field in settings_class.model_fields:
        monkeypatch.delenv(field.upper(), raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return settings_class(_env_file=None)


@pytest.mark.parametrize("name", SERVICES)
def test_service_publishes_the_port_its_settings_default_to(compose, name):
    service = _service(compose, name)
    port = _default_port(name)
    assert _port_mappings(service) == [(port, port)]
    assert _environment(service).get("PORT") == str(port)


@pytest.mark.parametrize("name", SERVICES)
def test_service_environment_names_only_settings_fields(compose, name):
    fields = set(_settings_class(name).model_fields)
    unknown = {
        variable
        for variable in _environment(_service(compose, name))
        if variable.lower() not in fields and variable not in EXTRA_VARIABLES
    }
    assert not unknown, f"{name}: no Settings field reads {sorted(unknown)}"


@pytest.mark.parametrize("name", SERVICES)
def test_service_environment_is_accepted_by_its_settings(compose, name, monkeypatch):
    environment = _environment(_service(compose, name))
    settings = _settings_from(environment, _settings_class(name), monkeypatch)
    assert settings.service_name == name
    assert settings.host == "0.0.0.0"
    assert settings.port == _default_port(name)


@pytest.mark.parametrize("name", BACKENDS)
def test_database_url_logs_in_as_the_service_role_with_the_bootstrapped_password(compose, name):
    environment = _environment(_service(compose, name))
    url = urlsplit(environment["DATABASE_URL"])
    assert url.scheme == "postgresql"
    assert url.username == f"schediora_{name}"
    assert (url.hostname, url.port, url.path) == ("postgres", 5432, "/schediora")
    bootstrap = _environment(_service(compose, "db-init"))
    assert url.password
    assert url.password == bootstrap[f"{name.upper()}_DATABASE_PASSWORD"]
    schema = _settings_class(name).model_fields["database_schema"].default
    assert schema == name
    assert environment.get("DATABASE_SCHEMA", schema) == schema


@pytest.mark.parametrize("name", BACKENDS)
def test_backend_reaches_the_compose_broker(compose, name):
    url = urlsplit(_environment(_service(compose, name))["RABBITMQ_URL"])
    assert (url.scheme, url.hostname, url.port) == ("amqp", "rabbitmq", 5672)


def test_db_init_bootstraps_the_database_and_every_backend(compose):
    db_init = _service(compose, "db-init")
    command = _command(db_init)
    assert command[:3] == ["python", "-m", "schediora_runtime.bootstrap"]
    assert command[command.index("--database") + 1] == "schediora"
    assert set(BACKENDS) <= set(command[3:])
    admin = urlsplit(_environment(db_init)["DATABASE_ADMIN_URL"])
    assert (admin.username, admin.hostname, admin.port) == ("postgres", "postgres", 5432)
    assert admin.password == _environment(_service(compose, "postgres"))["POSTGRES_PASSWORD"]
    assert db_init["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert _dockerfile(db_init).is_file()


@pytest.mark.parametrize("name", BACKENDS)
def test_gateway_forwards_to_the_compose_service_on_its_port(compose, name):
    url = urlsplit(_environment(_service(compose, "gateway"))[f"{name.upper()}_URL"])
    assert url.scheme == "http"
    assert url.hostname == name
    assert name in compose["services"]
    assert url.port == _default_port(name)


@pytest.mark.parametrize("name", [*SERVICES, "postgres", "rabbitmq"])
def test_long_running_service_has_a_healthcheck(compose, name):
    healthcheck = _service(compose, name).get("healthcheck", {})
    assert healthcheck.get("test"), f"{name} has no healthcheck"
    assert not healthcheck.get("disable", False)
    if name in SERVICES:
        assert "/health/live" in " ".join(healthcheck["test"])


@pytest.mark.parametrize("name", BACKENDS)
def test_migration_completes_before_the_service_starts(compose, name):
    service, migrate = _service(compose, name), _service(compose, f"{name}-migrate")
    assert _command(migrate) == ["alembic", "upgrade", "head"]
    assert migrate["build"] == service["build"]
    assert _environment(migrate)["DATABASE_URL"] == _environment(service)["DATABASE_URL"]
    assert migrate["depends_on"]["db-init"]["condition"] == "service_completed_successfully"
    depends_on = service["depends_on"]
    assert depends_on[f"{name}-migrate"]["condition"] == "service_completed_successfully"
    assert depends_on["postgres"]["condition"] == "service_healthy"
    assert depends_on["rabbitmq"]["condition"] == "service_healthy"
    assert (ROOT / "services" / name / "alembic.ini").is_file()
    assert (ROOT / "services" / name / "migrations" / "env.py").is_file()


def test_gateway_starts_once_every_backend_is_healthy(compose):
    depends_on = _service(compose, "gateway")["depends_on"]
    assert {name: depends_on.get(name, {}).get("condition") for name in BACKENDS} == {
        name: "service_healthy" for name in BACKENDS
    }


def test_every_dependency_exists_and_can_reach_its_condition(compose):
    services = compose["services"]
    for name, service in services.items():
        for dependency, spec in service.get("depends_on", {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            if spec["condition"] == "service_healthy":
                healthcheck = services[dependency].get("healthcheck", {})
                assert healthcheck.get("test"), f"{name} waits on {dependency}'s health"
                assert not healthcheck.get("disable", False)


def test_services_sharing_an_image_tag_build_it_the_same_way(compose):
    builds: dict[str, dict] = {}
    for name, service in compose["services"].items():
        if "build" in service and "image" in service:
            build = builds.setdefault(service["image"], service["build"])
            assert build == service["build"], f"{name} tags {service['image']} differently"


@pytest.mark.parametrize("name", SERVICES)
def test_dockerfile_serves_the_service_on_its_port(compose, name):
    dockerfile = _dockerfile(_service(compose, name))
    assert dockerfile == ROOT / "services" / name / "Dockerfile"
    text = dockerfile.read_text()
    port = _default_port(name)
    assert re.findall(r"^EXPOSE\s+(\d+)\s*$", text, re.MULTILINE) == [str(port)]
    assert re.search(rf"^\s+PORT={port}\b", text, re.MULTILINE)
    assert re.search(r"^\s+HOST=0\.0\.0\.0\b", text, re.MULTILINE)
    assert f'CMD ["python", "-m", "{name}"]' in text.splitlines()[-1]
    assert re.search(r"^HEALTHCHECK .*\n.*/health/live", text, re.MULTILINE)
    assert re.search(r"^USER (?!0\b|root\b)\S+", text, re.MULTILINE)


@pytest.mark.parametrize("name", SERVICES)
def test_dockerfile_installs_only_its_package_from_the_lock_file(name):
    text = (ROOT / "services" / name / "Dockerfile").read_text()
    syncs = [flags.split() for flags in re.findall(r"uv sync ([^\n]+)", text)]
    assert syncs
    for flags in syncs:
        assert {"--frozen", "--no-dev"} <= set(flags)
        assert flags.count("--package") == 1
        assert flags[flags.index("--package") + 1] == f"schediora-{name}"
        assert "--all-packages" not in flags
    assert "--no-editable" in syncs[-1]


@pytest.mark.parametrize("name", SERVICES)
def test_dockerfile_copies_only_paths_that_exist(name):
    text = (ROOT / "services" / name / "Dockerfile").read_text()
    copies = re.findall(r"^COPY (?!--from)(\S+) ", text, re.MULTILINE)
    assert copies
    missing = [source for source in copies if not (ROOT / source).exists()]
    assert not missing
    if name in BACKENDS:
        assert {f"services/{name}/alembic.ini", f"services/{name}/migrations"} <= set(copies)
        assert re.search(rf"^WORKDIR /app/services/{name}$", text, re.MULTILINE)
