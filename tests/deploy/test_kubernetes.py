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


# --- autoscaling, disruption budgets, network policies, backups, traces -------------------------

CPU_SCALED = ("gateway", "auth", "planner")
OPERATOR_PODS = {
    # What the operators label their pods with (CloudNativePG; RabbitMQ Cluster Operator).
    "postgres": {"cnpg.io/cluster": "postgres"},
    "rabbitmq": {"app.kubernetes.io/name": "rabbitmq"},
}


def _of_kind(objects: dict, kind: str) -> list[dict]:
    return [document for (k, _), document in objects.items() if k == kind]


def _selects(selector: dict, labels: dict) -> bool:
    assert set(selector) <= {"matchLabels"}, "only matchLabels selectors are checked"
    return selector.get("matchLabels", {}).items() <= labels.items()


def _replicas_floor(objects: dict, name: str) -> int:
    """The fewest pods the Deployment runs: the autoscaler's minimum, else its replicas."""
    for hpa in _of_kind(objects, "HorizontalPodAutoscaler"):
        if hpa["spec"]["scaleTargetRef"]["name"] == name:
            return hpa["spec"]["minReplicas"]
    for scaled in _of_kind(objects, "ScaledObject"):
        if scaled["spec"]["scaleTargetRef"]["name"] == name:
            return scaled["spec"]["minReplicaCount"]
    return objects["Deployment", name]["spec"]["replicas"]


@pytest.mark.parametrize("name", SERVICES)
def test_every_deployment_has_a_disruption_budget_that_selects_its_pods(objects, name):
    budgets = [
        pdb
        for pdb in _of_kind(objects, "PodDisruptionBudget")
        if _selects(pdb["spec"]["selector"], _pod_labels(objects, name))
    ]
    assert len(budgets) == 1, f"{name}: {len(budgets)} PodDisruptionBudgets select its pods"
    (budget,) = budgets
    # A drain may take a pod, never the last one.
    assert 1 <= budget["spec"]["minAvailable"] < _replicas_floor(objects, name)
    # A budget that also matched another Deployment's pods would count them together.
    for other in SERVICES:
        if other != name:
            assert not _selects(budget["spec"]["selector"], _pod_labels(objects, other))


@pytest.mark.parametrize("name", CPU_SCALED)
def test_gateway_auth_and_planner_scale_on_cpu(objects, name):
    hpa = objects["HorizontalPodAutoscaler", name]
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": name,
    }
    assert 2 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]
    (metric,) = hpa["spec"]["metrics"]
    assert metric["type"] == "Resource"
    assert metric["resource"]["name"] == "cpu"
    # Utilization is a share of the request: the container must request CPU.
    container = _container(objects["Deployment", name]["spec"]["template"]["spec"], name)
    assert "cpu" in container["resources"]["requests"]


def test_the_ai_scales_on_its_queue_length_with_keda(objects):
    scaled = objects["ScaledObject", "ai"]
    assert scaled["spec"]["scaleTargetRef"]["name"] == "ai"
    assert 2 <= scaled["spec"]["minReplicaCount"] < scaled["spec"]["maxReplicaCount"]
    (trigger,) = scaled["spec"]["triggers"]
    assert trigger["type"] == "rabbitmq"
    assert trigger["metadata"]["mode"] == "QueueLength"
    settings = _settings_class("ai")(_env_file=None)
    assert trigger["metadata"]["queueName"] == settings.service_queue
    broker = urlsplit(trigger["metadata"]["host"])
    assert ("RabbitmqCluster", broker.hostname) in objects
    assert broker.port == 5672
    auth = objects["TriggerAuthentication", trigger["authenticationRef"]["name"]]
    secrets = {ref["name"] for ref in auth["spec"]["secretTargetRef"]}
    assert secrets == {f"{objects['RabbitmqCluster', 'rabbitmq']['metadata']['name']}-default-user"}
    # KEDA owns the ai's autoscaler: a second one would fight it.
    assert not [
        hpa
        for hpa in _of_kind(objects, "HorizontalPodAutoscaler")
        if hpa["spec"]["scaleTargetRef"]["name"] == "ai"
    ]


def _policies_selecting(objects: dict, labels: dict) -> list[dict]:
    return [
        policy
        for policy in _of_kind(objects, "NetworkPolicy")
        if _selects(policy["spec"]["podSelector"], labels)
    ]


def _peer_pods(objects: dict, peer: dict) -> set[str]:
    """The Deployments (or operator clusters) a peer's podSelector picks in this namespace."""
    labels = peer["podSelector"]
    found = {name for name in SERVICES if _selects(labels, _pod_labels(objects, name))}
    found |= {name for name, pod in OPERATOR_PODS.items() if _selects(labels, pod)}
    return found


def _allowed(objects: dict, name: str, direction: str) -> set[tuple[str, int]]:
    """(peer, port) pairs the policies on `name`'s pods allow in `direction` (ingress: from,
    egress: to); a peer outside the namespace is `ns:<namespace>`, an address block `ip`."""
    side = "from" if direction == "ingress" else "to"
    allowed = set()
    for policy in _policies_selecting(objects, _pod_labels(objects, name)):
        for rule in policy["spec"].get(direction, []):
            ports = [port["port"] for port in rule.get("ports", [])]
            for peer in rule[side]:
                if "namespaceSelector" in peer:
                    namespace = peer["namespaceSelector"]["matchLabels"]
                    peers = {f"ns:{namespace['kubernetes.io/metadata.name']}"}
                elif "ipBlock" in peer:
                    peers = {"ip"}
                else:
                    peers = _peer_pods(objects, peer)
                    assert peers, f"{policy['metadata']['name']}: {peer} selects no pod"
                allowed |= {(p, port) for p in peers for port in ports}
    return allowed


@pytest.mark.parametrize("name", SERVICES)
def test_network_policies_deny_by_default_both_ways(objects, name):
    labels = _pod_labels(objects, name)
    default_deny = [
        policy
        for policy in _policies_selecting(objects, labels)
        if set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        and "ingress" not in policy["spec"]
        and "egress" not in policy["spec"]
    ]
    assert default_deny, f"{name}: no default-deny policy selects its pods"
    for kind in ("Job",):
        for document in _of_kind(objects, kind):
            job_labels = document["spec"]["template"]["metadata"]["labels"]
            assert _selects(default_deny[0]["spec"]["podSelector"], job_labels)


def test_only_the_gateway_is_reachable_from_outside_the_namespace(objects):
    outside = {"ns:ingress-nginx"}
    for name in SERVICES:
        entries = {peer for peer, _ in _allowed(objects, name, "ingress")}
        reachable = entries & outside
        assert (name == "gateway") == bool(reachable), f"{name}: {sorted(entries)}"
        assert "ip" not in entries, f"{name} takes traffic from any address"
        # Besides the ingress controller, only Prometheus comes from outside.
        assert {peer for peer in entries if peer.startswith("ns:")} <= outside | {"ns:monitoring"}


@pytest.mark.parametrize("name", SERVICES)
def test_ingress_ports_are_the_container_port(objects, name):
    port = _container(objects["Deployment", name]["spec"]["template"]["spec"], name)["ports"][0]
    for _, allowed_port in _allowed(objects, name, "ingress"):
        assert allowed_port == port["containerPort"]
    # Prometheus scrapes that same port (the pod's annotation).
    annotations = objects["Deployment", name]["spec"]["template"]["metadata"]["annotations"]
    assert ("ns:monitoring", int(annotations["prometheus.io/port"])) in _allowed(
        objects, name, "ingress"
    )


def test_the_services_reach_exactly_what_they_use(objects):
    ports = {name: _default_port(name) for name in SERVICES}
    # The gateway forwards to the three backends.
    gateway_out = _allowed(objects, "gateway", "egress")
    assert {(name, ports[name]) for name in BACKENDS} <= gateway_out
    assert not {peer for peer, _ in gateway_out} & {"postgres", "rabbitmq", "ip"}
    for name in BACKENDS:
        out = _allowed(objects, name, "egress")
        assert {("postgres", 5432), ("rabbitmq", 5672)} <= out, name
        into = _allowed(objects, name, "ingress")
        assert ("gateway", ports[name]) in into, name
    # planner and ai fetch auth's JWKS: allowed out of them and into auth.
    for name in ("planner", "ai"):
        assert ("auth", ports["auth"]) in _allowed(objects, name, "egress")
        assert (name, ports["auth"]) in _allowed(objects, "auth", "ingress")
    # No backend reaches another's port but auth's.
    for name in BACKENDS:
        others = {(other, ports[other]) for other in BACKENDS if other not in (name, "auth")}
        assert not others & _allowed(objects, name, "egress"), name


def test_postgres_is_backed_up_on_a_schedule(objects, kustomization):
    cluster = objects["Cluster", "postgres"]
    store = cluster["spec"]["backup"]["barmanObjectStore"]
    assert store["destinationPath"].startswith("s3://")
    assert cluster["spec"]["backup"]["retentionPolicy"]
    (scheduled,) = _of_kind(objects, "ScheduledBackup")
    assert scheduled["spec"]["cluster"]["name"] == cluster["metadata"]["name"]
    assert scheduled["spec"]["method"] == "barmanObjectStore"
    # CloudNativePG's schedule has six fields, seconds first.
    assert len(scheduled["spec"]["schedule"].split()) == 6
    # The object store credentials come from a generated Secret with an example file.
    credentials = store["s3Credentials"]
    names = {ref["name"] for ref in credentials.values()}
    (generator,) = [g for g in kustomization["secretGenerator"] if g["name"] in names]
    (env_file,) = generator["envs"]
    example = (K8S / f"{env_file}.example").read_text().splitlines()
    keys = {line.split("=", 1)[0] for line in example if "=" in line and not line.startswith("#")}
    assert {ref["key"] for ref in credentials.values()} <= keys
    assert env_file in (K8S / ".gitignore").read_text().split()


def test_traces_go_over_otlp_to_a_collector_the_pods_may_reach(objects, kustomization):
    config = _literals(kustomization, "schediora-config")
    assert config["OTEL_TRACES_EXPORTER"] == "otlp"
    endpoint = urlsplit(config["OTEL_EXPORTER_OTLP_ENDPOINT"])
    service = objects["Service", endpoint.hostname]
    assert endpoint.port in [port["port"] for port in service["spec"]["ports"]]
    # The collector lives in the observability namespace; every pod may send to it.
    namespace = service["spec"]["externalName"].split(".")[1]
    for name in SERVICES:
        assert (f"ns:{namespace}", endpoint.port) in _allowed(objects, name, "egress"), name


def test_migration_jobs_reach_postgres(objects):
    for name in BACKENDS:
        labels = objects["Job", f"{name}-migrate"]["spec"]["template"]["metadata"]["labels"]
        egress = set()
        for policy in _policies_selecting(objects, labels):
            for rule in policy["spec"].get("egress", []):
                for peer in rule["to"]:
                    if "podSelector" in peer and "namespaceSelector" not in peer:
                        egress |= {
                            (p, port["port"])
                            for p in _peer_pods(objects, peer)
                            for port in rule["ports"]
                        }
        assert ("postgres", 5432) in egress, name
