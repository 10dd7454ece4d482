"""Every address a shipped deployment's processes will use resolves to a host that deployment
defines: the class of mistake where a service, run as shipped, falls back to a development
default such as `127.0.0.1:8001` inside its own container.

For docker-compose.yml and for the Kubernetes manifests (kustomization.yaml's ConfigMaps plus
each container's `env`, `$(VAR)` expanded as Kubernetes does it), each service's Settings class
is instantiated with exactly the environment its container gets (its image's `ENV` included,
no `.env` file), and every URL setting (database, broker, JWKS, upstreams) and the OTLP endpoint
the tracing SDK would use are checked: not a loopback or unspecified address, and a host of the
deployment (a compose service; a Kubernetes Service, or one the PostgreSQL and RabbitMQ operators
create for a cluster in the manifests). One-shot containers (migrations, bootstrap) are checked
for every `*_URL` variable they set. An LLM endpoint (`OPENAI_BASE_URL`) lies outside either
deployment: it only must not be a loopback address.
"""

import importlib
import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
SERVICES = ("gateway", "auth", "planner", "ai")
EXTERNAL_URL_FIELDS = {"openai_base_url"}
# Addresses a person opens, not ones a service connects to: the links in account mails open the
# app where the student is (on a developer's machine that is the loopback address).
CLIENT_FACING_FIELDS = {"app_base_url"}
# Settings fields a service has (from the shared base) and never uses: auth verifies access
# tokens with its own keys (auth.main hands the app its own TokenVerifier), not through a JWKS.
UNUSED_FIELDS = {"auth": {"auth_jwks_url"}}
OTLP_DEFAULT_ENDPOINT = "http://localhost:4318"  # the OpenTelemetry SDK's, when none is set
SECRET_PLACEHOLDER = "secret-value"
_COMPOSE_VARIABLE = re.compile(r"\$\{(\w+)(?::?-([^}]*))?\}")
_KUBERNETES_VARIABLE = re.compile(r"\$\((\w+)\)")


@dataclass(frozen=True)
class Container:
    """One container of a deployment: where it is declared, the service whose code it runs,
    whether it is that service's long-running server, and its environment as it will be."""

    where: str
    service: str
    server: bool
    environment: dict[str, str]


@dataclass(frozen=True)
class Deployment:
    name: str
    hosts: frozenset[str]
    containers: tuple[Container, ...]


def settings_class(service: str):
    return importlib.import_module(f"{service}.settings").Settings


def image_environment(service: str) -> dict[str, str]:
    """The `ENV` of the service image's final stage (its Dockerfile)."""
    text = (ROOT / "services" / service / "Dockerfile").read_text().replace("\\\n", " ")
    final = text.split("\nFROM ")[-1]
    environment: dict[str, str] = {}
    for line in final.splitlines():
        if line.startswith("ENV "):
            for pair in line.removeprefix("ENV ").split():
                name, _, value = pair.partition("=")
                environment[name] = value
    return environment


# --- docker-compose.yml ----------------------------------------------------------------------


def _compose_value(value: object) -> str:
    """What compose makes of `${NAME:-default}` when NAME is not set."""
    return _COMPOSE_VARIABLE.sub(lambda match: match.group(2) or "", str(value))


def _compose_service_of(service: dict) -> str | None:
    """The service whose image the container runs, from its build's Dockerfile."""
    dockerfile = service.get("build", {}).get("dockerfile", "")
    match = re.fullmatch(r"services/(\w+)/Dockerfile", dockerfile)
    return match.group(1) if match else None


def compose(text: str) -> Deployment:
    document = yaml.safe_load(text)
    services = document["services"]
    # Containers reach each other by service name (and by a `hostname:` or network alias).
    hosts = set(services)
    for service in services.values():
        hosts.update([service["hostname"]] if "hostname" in service else [])
        networks = service.get("networks")
        if isinstance(networks, dict):
            for network in networks.values():
                hosts.update((network or {}).get("aliases", []))
    containers = []
    for name, service in services.items():
        code = _compose_service_of(service)
        if code is None:
            continue
        environment = service.get("environment", {})
        if isinstance(environment, list):
            environment = dict(item.split("=", 1) for item in environment)
        resolved = image_environment(code) | {
            key: _compose_value(value) for key, value in environment.items()
        }
        containers.append(Container(f"docker-compose.yml {name}", code, name == code, resolved))
    return Deployment("docker-compose", frozenset(hosts), tuple(containers))


# --- deploy/k8s --------------------------------------------------------------------------------


def _kubernetes_environment(
    container: dict, config_maps: dict[str, dict[str, str]], base: dict[str, str]
) -> dict[str, str]:
    """The container's variables as Kubernetes sets them: `envFrom` ConfigMaps, then `env` in
    order, `$(VAR)` expanded from the variables before it; secrets become a placeholder."""
    environment = dict(base)
    for source in container.get("envFrom", []):
        environment |= config_maps[source["configMapRef"]["name"]]
    for variable in container.get("env", []):
        if "value" in variable:
            environment[variable["name"]] = _KUBERNETES_VARIABLE.sub(
                lambda match: environment.get(match.group(1), match.group(0)),
                str(variable["value"]),
            )
        else:
            environment[variable["name"]] = SECRET_PLACEHOLDER
    return environment


def kubernetes(manifests: list[str], kustomization: str) -> Deployment:
    documents = [d for text in manifests for d in yaml.safe_load_all(text) if d is not None]
    customization = yaml.safe_load(kustomization)
    namespace = customization.get("namespace", "default")
    config_maps = {
        generator["name"]: dict(literal.split("=", 1) for literal in generator["literals"])
        for generator in customization.get("configMapGenerator", [])
    }
    names: set[str] = set()
    for document in documents:
        name = document["metadata"]["name"]
        if document["kind"] == "Service":
            names.add(name)
        elif document["kind"] == "Cluster":  # CloudNativePG: primary, replicas, any instance
            names |= {f"{name}-rw", f"{name}-ro", f"{name}-r"}
        elif document["kind"] == "RabbitmqCluster":  # the operator's client Service
            names.add(name)
        elif document["kind"] == "ConfigMap":
            config_maps[name] = {str(k): str(v) for k, v in document.get("data", {}).items()}
    hosts = set(names)
    for name in names:
        hosts |= {
            f"{name}.{namespace}",
            f"{name}.{namespace}.svc",
            f"{name}.{namespace}.svc.cluster.local",
        }
    containers = []
    for document in documents:
        if document["kind"] not in {"Deployment", "Job", "StatefulSet", "CronJob"}:
            continue
        service = document["metadata"]["labels"]["app.kubernetes.io/name"]
        pod = document["spec"]["template"]["spec"]
        for container in pod.get("initContainers", []) + pod["containers"]:
            server = document["kind"] == "Deployment" and container["name"] == service
            base = image_environment(service) if service in SERVICES else {}
            containers.append(
                Container(
                    f"{document['kind']} {document['metadata']['name']} / {container['name']}",
                    service,
                    server,
                    _kubernetes_environment(container, config_maps, base),
                )
            )
    return Deployment("kubernetes", frozenset(hosts), tuple(containers))


# --- the check ---------------------------------------------------------------------------------


def _is_loopback_or_unspecified(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def resolved_settings(container: Container, monkeypatch: pytest.MonkeyPatch):
    """The service's Settings built from exactly the container's environment, no `.env`."""
    settings = settings_class(container.service)
    for field in settings.model_fields:
        monkeypatch.delenv(field.upper(), raising=False)
    for name, value in container.environment.items():
        monkeypatch.setenv(name, value)
    return settings(_env_file=None)


def addresses(container: Container, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, str]]:
    """(what, URL) for every address the container will use."""
    if container.server:
        settings = resolved_settings(container, monkeypatch)
        for field in type(settings).model_fields:
            value = getattr(settings, field)
            unused = field in UNUSED_FIELDS.get(container.service, set()) | CLIENT_FACING_FIELDS
            if field.endswith("_url") and value is not None and not unused:
                yield field.upper(), str(value)
        exporters = container.environment.get("OTEL_TRACES_EXPORTER", "none").split(",")
        endpoint = container.environment.get(
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
            container.environment.get("OTEL_EXPORTER_OTLP_ENDPOINT"),
        )
        if "otlp" in exporters or endpoint:
            yield "OTLP endpoint", endpoint or OTLP_DEFAULT_ENDPOINT
    else:
        for name, value in container.environment.items():
            client_facing = name.lower() in CLIENT_FACING_FIELDS
            if name.endswith(("_URL", "_ENDPOINT")) and value and not client_facing:
                yield name, value


def misplaced(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch
) -> list[tuple[str, str, str, str]]:
    """(container, what, URL, why) for every address that would not work as deployed."""
    found = []
    for container in deployment.containers:
        for what, url in addresses(container, monkeypatch):
            host = urlsplit(url).hostname or ""
            if _is_loopback_or_unspecified(host):
                found.append((container.where, what, url, "loopback"))
            elif what.lower() not in EXTERNAL_URL_FIELDS and host not in deployment.hosts:
                found.append((container.where, what, url, "no such host in the deployment"))
    return found


def shipped_compose() -> Deployment:
    return compose((ROOT / "docker-compose.yml").read_text())


def shipped_kubernetes() -> Deployment:
    manifests = [
        path.read_text() for path in sorted(K8S.glob("*.yaml")) if path.name != "kustomization.yaml"
    ]
    return kubernetes(manifests, (K8S / "kustomization.yaml").read_text())


DEPLOYMENTS = {"docker-compose": shipped_compose, "kubernetes": shipped_kubernetes}


@pytest.mark.parametrize("name", DEPLOYMENTS)
def test_every_service_runs_in_the_deployment_with_its_addresses_inside_it(name, monkeypatch):
    deployment = DEPLOYMENTS[name]()
    servers = {c.service for c in deployment.containers if c.server}
    assert servers == set(SERVICES), f"{name}: the servers found are {sorted(servers)}"
    assert misplaced(deployment, monkeypatch) == []


@pytest.mark.parametrize("name", DEPLOYMENTS)
def test_the_check_reads_every_address_a_server_uses(name, monkeypatch):
    """What the check above looks at, so that it cannot pass by looking at nothing: the
    database, the broker and the JWKS of every backend, the gateway's three upstreams."""
    deployment = DEPLOYMENTS[name]()
    seen = {
        (container.service, what)
        for container in deployment.containers
        if container.server
        for what, _ in addresses(container, monkeypatch)
    }
    for backend in ("auth", "planner", "ai"):
        assert {(backend, "DATABASE_URL"), (backend, "RABBITMQ_URL")} <= seen
    assert {("planner", "AUTH_JWKS_URL"), ("ai", "AUTH_JWKS_URL")} <= seen
    assert {("gateway", f"{s.upper()}_URL") for s in ("auth", "planner", "ai")} <= seen


def test_a_compose_service_left_on_a_default_or_an_unknown_host_is_caught(monkeypatch):
    text = (ROOT / "docker-compose.yml").read_text()
    document = yaml.safe_load(text)
    services = document["services"]
    # Each service's own copy: the YAML anchors share one mapping with its migration job.
    services["planner"]["environment"] = {
        k: v for k, v in services["planner"]["environment"].items() if k != "AUTH_JWKS_URL"
    }
    services["ai"]["environment"] = services["ai"]["environment"] | {
        "RABBITMQ_URL": "amqp://guest:guest@broker:5672/"
    }
    services["gateway"]["environment"] = services["gateway"]["environment"] | {
        "OTEL_TRACES_EXPORTER": "otlp"
    }
    found = {
        (where, what, why)
        for where, what, _, why in misplaced(compose(yaml.safe_dump(document)), monkeypatch)
    }
    assert found == {
        ("docker-compose.yml planner", "AUTH_JWKS_URL", "loopback"),
        ("docker-compose.yml ai", "RABBITMQ_URL", "no such host in the deployment"),
        ("docker-compose.yml gateway", "OTLP endpoint", "loopback"),
    }


def test_a_kubernetes_service_left_on_a_default_or_an_unknown_host_is_caught(monkeypatch):
    manifests = []
    for path in sorted(K8S.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        documents = [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
        for document in documents:
            if document["kind"] == "Deployment" and document["metadata"]["name"] == "ai":
                (container,) = [
                    c
                    for c in document["spec"]["template"]["spec"]["containers"]
                    if c["name"] == "ai"
                ]
                container["env"] = [v for v in container["env"] if v["name"] != "AUTH_JWKS_URL"]
                container["env"].append(
                    {"name": "DATABASE_URL", "value": "postgresql://schediora_ai@db:5432/x"}
                )
        manifests.append(yaml.safe_dump_all(documents))
    found = {
        (where, what, why)
        for where, what, _, why in misplaced(
            kubernetes(manifests, (K8S / "kustomization.yaml").read_text()), monkeypatch
        )
    }
    assert found == {
        ("Deployment ai / ai", "AUTH_JWKS_URL", "loopback"),
        ("Deployment ai / ai", "DATABASE_URL", "no such host in the deployment"),
    }
