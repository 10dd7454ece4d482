"""Every object of deploy/k8s is valid against the Kubernetes API's own OpenAPI schemas, as a
cluster's API server would check it on `kubectl apply` (kubernetes-validate ships them, so no
cluster is needed): field names, types and required fields, with unknown fields refused
(`strict`). The objects of operators' custom resources (KEDA, CloudNativePG, the RabbitMQ
cluster operator) have no schema there; they must be of the kinds the docs name as needed,
and test_kubernetes.py checks what they say."""

import kubernetes_validate
import pytest
import yaml

from .test_kubernetes import MANIFESTS

KUBERNETES_VERSION = "1.31.0"
"""The oldest Kubernetes the manifests are written for (docs/operations.md: Kubernetes)."""
CUSTOM_RESOURCES = {
    ("keda.sh/v1alpha1", "ScaledObject"),
    ("keda.sh/v1alpha1", "TriggerAuthentication"),
    ("postgresql.cnpg.io/v1", "Cluster"),
    ("postgresql.cnpg.io/v1", "ScheduledBackup"),
    ("rabbitmq.com/v1beta1", "RabbitmqCluster"),
}


def _documents() -> list[tuple[str, dict]]:
    return [
        (f"{path.name}:{document['kind']}/{document['metadata']['name']}", document)
        for path in MANIFESTS
        if path.name != "kustomization.yaml"
        for document in yaml.safe_load_all(path.read_text())
    ]


DOCUMENTS = _documents()


@pytest.mark.parametrize(("where", "document"), DOCUMENTS, ids=[w for w, _ in DOCUMENTS])
def test_each_object_is_valid_for_the_api_server(where, document):
    kind = (document["apiVersion"], document["kind"])
    try:
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.SchemaNotFoundError:
        assert kind in CUSTOM_RESOURCES, (
            f"{where}: {kind} is neither built in nor a known operator's"
        )
    except kubernetes_validate.ValidationError as error:
        pytest.fail(f"{where}: {error.message} at {'.'.join(map(str, error.path))}")


def test_a_misspelt_field_would_be_refused():
    """The check is strict: a field the API does not know fails it (it would be dropped or
    refused by the API server)."""
    deployment = next(d for _, d in DOCUMENTS if d["kind"] == "Deployment")
    broken = {**deployment, "spec": {**deployment["spec"], "replica": 2}}
    with pytest.raises(kubernetes_validate.ValidationError, match="replica"):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)
