"""docs/asyncapi.yaml tells the truth about the events: every event of libs/contracts is a
message on its routing key with the exported JSON Schema as payload, the publishers and consumers
are the services that write and handle it, and the document is valid AsyncAPI 3.0.

The AsyncAPI 3.0.0 JSON Schema beside this file is `schemas/3.0.0-without-$id.json` of the npm
package @asyncapi/specs 6.11.1 (Apache-2.0, the AsyncAPI Initiative), unchanged: no PyPI package
validates AsyncAPI 3 documents, so the official schema is checked with jsonschema.
"""

import importlib.util
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from ai.messaging import subscriptions as ai_subscriptions
from ai.providers.local import LocalProvider
from auth.messaging import SUBSCRIPTIONS as AUTH_SUBSCRIPTIONS
from planner.messaging import SUBSCRIPTIONS as PLANNER_SUBSCRIPTIONS
from schediora_contracts import EVENT_TYPES, Event
from schediora_contracts.schema import export_json_schemas
from schediora_runtime.security.key_rotation import ANNOUNCEMENTS

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
DOCUMENT = DOCS / "asyncapi.yaml"
SPEC_SCHEMA = Path(__file__).with_name("asyncapi-3.0.0.schema.json")


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location(
        "asyncapi_generator", ROOT / "scripts/asyncapi.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return yaml.safe_load(DOCUMENT.read_text())


def _pointer(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _local_refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _local_refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _local_refs(value)]
    return []


def _message_of_channel(document: dict[str, Any], channel: dict[str, Any]) -> dict[str, Any]:
    (message,) = channel["messages"].values()
    return _pointer(document, message["$ref"]) if "$ref" in message else message


def _external(ref: str) -> dict[str, Any]:
    return json.loads((DOCS / ref).read_text())


def test_committed_document_is_what_the_generator_writes():
    generator = _generator()
    assert DOCUMENT.read_text() == generator.render(generator.build()), (
        "docs/asyncapi.yaml is stale: run `.venv/bin/python scripts/asyncapi.py`"
    )


def test_document_is_valid_asyncapi_3(document):
    schema = json.loads(SPEC_SCHEMA.read_text())
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(document))
    assert not errors, [f"{list(e.absolute_path)}: {e.message[:200]}" for e in errors[:5]]
    assert document["asyncapi"] == "3.0.0"


def test_every_reference_resolves(document):
    for ref in _local_refs(document):
        if ref.startswith("#/"):
            _pointer(document, ref)
        else:
            assert (DOCS / ref).is_file(), ref


@pytest.mark.parametrize("key", sorted(EVENT_TYPES), ids=lambda key: f"{key[0]}.v{key[1]}")
def test_every_event_is_a_message_on_its_routing_key_with_the_exported_schema(document, key):
    event = EVENT_TYPES[key]
    exported = export_json_schemas()
    channels = [c for c in document["channels"].values() if c["address"] == event.routing_key()]
    assert len(channels) == 1, f"no channel with address {event.routing_key()}"
    assert channels[0]["bindings"]["amqp"]["exchange"] == {
        "name": "schediora.events",
        "type": "topic",
        "durable": True,
        "autoDelete": False,
        "vhost": "/",
    }
    message = _message_of_channel(document, channels[0])
    envelope, specific = message["payload"]["allOf"]
    assert _external(envelope["$ref"]) == exported["envelope.json"]
    assert specific["properties"]["type"] == {"const": event.event_type}
    assert specific["properties"]["version"] == {"const": event.version}
    payload_ref = specific["properties"]["payload"]["$ref"]
    assert Path(payload_ref).name == f"{event.event_type}.v{event.version}.json"
    assert _external(payload_ref) == exported[Path(payload_ref).name]


def test_no_message_for_an_event_the_contracts_do_not_know(document):
    known = {event.routing_key() for event in EVENT_TYPES.values()}
    documented = {
        channel["address"]
        for channel in document["channels"].values()
        if channel["bindings"]["amqp"]["is"] == "routingKey"
    }
    assert documented == known


def _operations(document: dict[str, Any], action: str) -> set[tuple[str, str]]:
    """(service, routing key) for every operation of this action, the service from its tag."""
    found = set()
    for operation in document["operations"].values():
        if operation["action"] != action:
            continue
        (tag,) = operation["tags"]
        for ref in operation["messages"]:
            message = _pointer(document, ref["$ref"])
            message = _pointer(document, message["$ref"]) if "$ref" in message else message
            properties = message["payload"]["allOf"][1]["properties"]
            routing_key = f"{properties['type']['const']}.v{properties['version']['const']}"
            found.add((tag["name"], routing_key))
    return found


def test_consumers_are_the_services_subscription_tables(document):
    tables = {
        "auth": AUTH_SUBSCRIPTIONS,
        "planner": PLANNER_SUBSCRIPTIONS,
        "ai": ai_subscriptions(LocalProvider(), 1),
    }
    expected = {
        (service, event.routing_key()) for service, table in tables.items() for event in table
    }
    # And auth's key announcements, heard by every process that verifies against its JWKS.
    expected |= {
        (service, event.routing_key()) for service in ("planner", "ai") for event in ANNOUNCEMENTS
    }
    assert _operations(document, "receive") == expected


def _publishers_in_code(event: type[Event]) -> set[str]:
    """Services whose source builds this event in a package (a folder of modules, such as a
    use case and the module that builds its event) that writes to the outbox."""
    found = set()
    for service in ("auth", "planner", "ai"):
        for package in {m.parent for m in (ROOT / "services" / service / "src").rglob("*.py")}:
            text = "".join(module.read_text() for module in package.glob("*.py"))
            if "record_event(" in text and f"{event.__name__}(" in text:
                found.add(service)
    return found


def test_publishers_are_the_services_that_write_the_event_to_their_outbox(document):
    expected = {
        (service, event.routing_key())
        for event in EVENT_TYPES.values()
        for service in _publishers_in_code(event)
    }
    assert {service for service, _ in expected} == {"auth", "planner", "ai"}
    assert _operations(document, "send") == expected
