"""deploy/k8s parses and agrees with the code: container ports, variables, probes, migrations,
and the addresses the gateway and the services use to reach each other."""

import importlib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
BACKENDS = ("auth", "planner", "ai")
SERVICES = ("gateway", *BACKENDS)
# Variables a container may carry that no Settings field reads: the secrets that Kubernetes
# assembles into DATABASE_URL and RABBITMQ_URL with $(VAR), and the OpenTelemetry SDK's own.
EXTRA_VARIABLES = {
    "AUTH_DATABASE_PASSWORD",
    "PLANNER_DATABASE_PASSWORD",
    "AI_DATABASE_PASSWORD",
    "RABBITMQ_USERNAME",
    "RABBITMQ_PASSWORD",
    "OTEL_TRACES_EXPORTER",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_PROTOCOL",
    "OTEL_SERVICE_NAME",
    "OTEL_SDK_DISABLED",
}
MANIFESTS = sorted(K8S.glob("*.yaml"))


def _settings_class(service: str):
    return importlib.import_module(f"{service}.settings").Settings


def _default_port(service: str) -> int:
    return _settings_class(service).model_fields["port"].default


@pytest.fixture(scope="module")
def kustomization() -> dict:
    return yaml.safe_load((K8S / "kustomization.yaml").read_text())


@pytest.fixture(scope="module")
def objects() -> dict[tuple[str, str], dict]:
    """Every object of the resources, by (kind, name)."""
    found = {}
    for path in MANIFESTS:
        if path.name == "kustomization.yaml":
            continue
        for document in yaml.safe_load_all(path.read_text()):
            key = (document["kind"], document["metadata"]["name"])
            assert key not in found, f"{key} defined twice"
            found[key] = document
    return found


def _container(pod_spec: dict, name: str, *, init: bool = False) -> dict:
    containers = pod_spec["initContainers" if init else "containers"]
    matches = [container for container in containers if container["name"] == name]
    assert len(matches) == 1, f"no single container {name!r}"
    return matches[0]


def _env(container: dict) -> dict[str, dict]:
    return {variable["name"]: variable for variable in container.get("env", [])}


def _literals(kustomization: dict, name: str) -> dict[str, str]:
    (generator,) = [g for g in kustomization["configMapGenerator"] if g["name"] == name]
    return dict(literal.split("=", 1) for literal in generator["literals"])


def _pod_labels(objects: dict, name: str) -> dict:
    return objects["Deployment", name]["spec"]["template"]["metadata"]["labels"]


def _config_maps(container: dict) -> list[str]:
    return [source["configMapRef"]["name"] for source in container.get("envFrom", [])]


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda path: path.name)
def test_manifest_parses_into_kubernetes_objects(path):
    documents = [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
    assert documents
    for document in documents:
        assert document["apiVersion"]
        assert document["kind"]


def test_kustomization_lists_exactly_the_manifests(kustomization):
    listed = set(kustomization["resources"])
    on_disk = {path.name for path in MANIFESTS} - {"kustomization.yaml"}
    assert listed == on_disk


@pytest.mark.parametrize("name", SERVICES)
def test_deployment_listens_on_the_port_its_settings_default_to(objects, name):
    port = _default_port(name)
    pod = objects["Deployment", name]["spec"]["template"]["spec"]
    container = _container(pod, name)
    assert [(p["name"], p["containerPort"]) for p in container["ports"]] == [("http", port)]
    assert _env(container)["PORT"]["value"] == str(port)
    service = objects["Service", name]["spec"]
    assert [(p["port"], p["targetPort"]) for p in service["ports"]] == [(port, "http")]
    assert service["selector"].items() <= _pod_labels(objects, name).items()


@pytest.mark.parametrize("name", SERVICES)
def test_deployment_probes_and_resources(objects, name):
    pod = objects["Deployment", name]["spec"]["template"]["spec"]
    container = _container(pod, name)
    assert container["livenessProbe"]["httpGet"] == {"path": "/health/live", "port": "http"}
    # The gateway's /health/ready fails while any upstream is down (deploy/README.md).
    ready = "/health/live" if name == "gateway" else "/health/ready"
    assert container["readinessProbe"]["httpGet"] == {"path": ready, "port": "http"}
    resources = container["resources"]
    assert {"cpu", "memory"} <= resources["requests"].keys()
    assert "memory" in resources["limits"]
    assert pod["securityContext"]["runAsNonRoot"] is True


@pytest.mark.parametrize("name", SERVICES)
def test_deployment_environment_names_only_settings_fields(objects, kustomization, name):
    fields = set(_settings_class(name).model_fields)
    container = _container(objects["Deployment", name]["spec"]["template"]["spec"], name)
    names = set(_env(container))
    for config_map in _config_maps(container):
        names |= _literals(kustomization, config_map).keys()
    unknown = {n for n in names if n.lower() not in fields and n not in EXTRA_VARIABLES}
    assert not unknown, f"{name}: no Settings field reads {sorted(unknown)}"


@pytest.mark.parametrize("name", SERVICES)
def test_shared_config_is_accepted_by_settings(kustomization, name, monkeypatch):
    settings_class = _settings_class(name)
    for field in settings_class.model_fields:
        monkeypatch.delenv(field.upper(), raising=False)
    config = _literals(kustomization, "schediora-config")
    if name == "gateway":
        config |= _literals(kustomization, "gateway-config")
    for variable, value in config.items():
        monkeypatch.setenv(variable, value)
    settings = settings_class(_env_file=None)
    assert settings.host == "0.0.0.0"
    assert settings.environment == "production"


@pytest.mark.parametrize("name", BACKENDS)
def test_backend_uses_its_own_role_on_the_postgres_cluster(objects, name):
    container = _container(objects["Deployment", name]["spec"]["template"]["spec"], name)
    env = _env(container)
    url = urlsplit(env["DATABASE_URL"]["value"])
    password_variable = f"{name.upper()}_DATABASE_PASSWORD"
    assert url.username == f"schediora_{name}"
    assert url.password == f"$({password_variable})"
    cluster = objects["Cluster", "postgres"]
    assert (url.hostname, url.port) == (f"{cluster['metadata']['name']}-rw", 5432)
    assert url.path == "/" + cluster["spec"]["bootstrap"]["initdb"]["database"]
    assert env[password_variable]["valueFrom"]["secretKeyRef"]["key"] == password_variable
    assert env.get("DATABASE_SCHEMA", {}).get("value") == name
    broker = urlsplit(env["RABBITMQ_URL"]["value"])
    assert ("RabbitmqCluster", broker.hostname) in objects
    assert broker.port == 5672


@pytest.mark.parametrize("name", BACKENDS)
def test_migration_job_bootstraps_then_migrates_with_the_service_image(objects, name):
    deployment_pod = objects["Deployment", name]["spec"]["template"]["spec"]
    image = _container(deployment_pod, name)["image"]
    job_pod = objects["Job", f"{name}-migrate"]["spec"]["template"]["spec"]
    bootstrap = _container(job_pod, "bootstrap", init=True)
    assert bootstrap["image"] == image
    assert bootstrap["command"][:3] == ["python", "-m", "schediora_runtime.bootstrap"]
    assert name in bootstrap["command"][3:]
    assert f"{name.upper()}_DATABASE_PASSWORD" in _env(bootstrap)
    migrate = _container(job_pod, "migrate")
    assert migrate["image"] == image
    assert migrate["command"] == ["alembic", "upgrade", "head"]
    database_url = _env(_container(deployment_pod, name))["DATABASE_URL"]
    assert _env(migrate)["DATABASE_URL"] == database_url
    waiting = _container(deployment_pod, "wait-for-migrations", init=True)
    assert waiting["image"] == image
    assert _env(waiting)["DATABASE_URL"] == database_url
    assert "alembic current" in " ".join(waiting["command"])


@pytest.mark.parametrize("name", BACKENDS)
def test_gateway_config_points_at_the_service(objects, kustomization, name):
    url = urlsplit(_literals(kustomization, "gateway-config")[f"{name.upper()}_URL"])
    assert url.hostname == name
    assert ("Service", name) in objects
    assert url.port == _default_port(name)


def test_ingress_sends_everything_to_the_gateway(objects):
    (rule,) = objects["Ingress", "gateway"]["spec"]["rules"]
    backends = [path["backend"]["service"] for path in rule["http"]["paths"]]
    assert backends == [{"name": "gateway", "port": {"name": "http"}}]
    assert [p["name"] for p in objects["Service", "gateway"]["spec"]["ports"]] == ["http"]


def test_every_image_is_a_service_image_with_a_tag_in_kustomization(objects, kustomization):
    tagged = {image["name"] for image in kustomization["images"]}
    assert tagged == {f"schediora/{name}" for name in SERVICES}
    for (kind, name), document in objects.items():
        if kind in {"Deployment", "Job"}:
            pod = document["spec"]["template"]["spec"]
            for container in pod.get("initContainers", []) + pod["containers"]:
                assert container["image"] in tagged, f"{kind} {name}: {container['image']}"


def test_every_secret_reference_names_a_key_that_will_exist(objects, kustomization):
    (generated,) = [
        g for g in kustomization["secretGenerator"] if g["name"] == "schediora-database"
    ]
    example = (K8S / "secrets.env.example").read_text().splitlines()
    keys = {
        # The Secrets the operators make for the clusters named in postgres.yaml / rabbitmq.yaml.
        f"{objects['Cluster', 'postgres']['metadata']['name']}-superuser": {"username", "password"},
        f"{objects['RabbitmqCluster', 'rabbitmq']['metadata']['name']}-default-user": {
            "username",
            "password",
        },
        generated["name"]: {
            line.split("=", 1)[0] for line in example if "=" in line and not line.startswith("#")
        },
    }
    # Secrets generated from files: the key is the part before "=" in `files`.
    for generator in kustomization["secretGenerator"]:
        if "files" in generator:
            keys[generator["name"]] = {entry.split("=", 1)[0] for entry in generator["files"]}
    assert generated["envs"] == ["secrets.env"]
    for (kind, name), document in objects.items():
        if kind not in {"Deployment", "Job"}:
            continue
        service = document["metadata"]["labels"]["app.kubernetes.io/name"]
        pod = document["spec"]["template"]["spec"]
        for container in pod.get("initContainers", []) + pod["containers"]:
            for variable in container.get("env", []):
                ref = variable.get("valueFrom", {}).get("secretKeyRef")
                if not ref:
                    continue
                assert ref["key"] in keys.get(ref["name"], set()), f"{kind} {name}: {ref}"
                if ref["name"] == generated["name"]:
                    # A service reads its own database password and no other.
                    own = f"{service.upper()}_DATABASE_PASSWORD"
                    assert variable["name"] == ref["key"] == own, f"{kind} {name}: {ref}"


@pytest.mark.parametrize("name", SERVICES)
def test_prometheus_scrapes_each_pod_on_its_own_port(objects, name):
    template = objects["Deployment", name]["spec"]["template"]
    annotations = template["metadata"]["annotations"]
    container = _container(template["spec"], name)
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/path"] == "/metrics"
    assert int(annotations["prometheus.io/port"]) == container["ports"][0]["containerPort"]
