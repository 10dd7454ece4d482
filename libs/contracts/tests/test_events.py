import json
import uuid
from pathlib import Path

import jsonschema
import pytest
from pydantic import ValidationError

from schediora_contracts import (
    EVENT_TYPES,
    EventEnvelope,
    PlanRequested,
    UnknownEvent,
    UserRegistered,
    payload_model,
)
from schediora_contracts.schema import export_json_schemas, render

from .examples import EXAMPLES, NOW, USER

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schemas"


def test_every_registered_event_has_an_example():
    assert {(e.event_type, e.version) for e in EXAMPLES} == set(EVENT_TYPES)


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: e.event_type)
def test_event_survives_a_json_round_trip_inside_an_envelope(event):
    envelope = EventEnvelope(
        event_id=uuid.uuid4(),
        type=event.event_type,
        version=event.version,
        occurred_at=NOW,
        producer="test",
        payload=event.model_dump(mode="json"),
    )
    wire = envelope.model_dump_json()
    received = EventEnvelope.model_validate_json(wire)
    model = payload_model(received.type, received.version)
    assert model.model_validate(received.payload) == event
    assert received == envelope


def test_routing_key_names_type_and_version():
    assert PlanRequested.routing_key() == "planner.plan_requested.v1"
    assert UserRegistered.routing_key() == "auth.user_registered.v1"


def test_unknown_version_is_rejected():
    with pytest.raises(UnknownEvent):
        payload_model("planner.plan_requested", 2)
    with pytest.raises(UnknownEvent):
        payload_model("planner.plan_exploded", 1)


def test_consumers_ignore_fields_added_later_within_a_version():
    payload = UserRegistered(user_id=USER, email="a@example.com", registered_at=NOW).model_dump(
        mode="json"
    )
    payload["favourite_colour"] = "teal"
    assert UserRegistered.model_validate(payload).user_id == USER


@pytest.mark.parametrize(
    "change",
    [
        {"version": 0},
        {"type": "NotAType"},
        {"occurred_at": "2026-11-23T18:00:00"},  # naive timestamps are ambiguous
        {"event_id": "not-a-uuid"},
    ],
)
def test_malformed_envelope_is_rejected(change):
    body = {
        "event_id": str(uuid.uuid4()),
        "type": "auth.user_registered",
        "version": 1,
        "occurred_at": "2026-11-23T18:00:00Z",
        "producer": "auth",
        "payload": {},
    } | change
    with pytest.raises(ValidationError):
        EventEnvelope.model_validate(body)


def test_payload_missing_a_required_fact_is_rejected():
    with pytest.raises(ValidationError):
        UserRegistered.model_validate({"user_id": str(USER)})


def test_events_are_immutable():
    with pytest.raises(ValidationError):
        EXAMPLES[0].email = "other@example.com"  # type: ignore[misc]


def test_committed_json_schemas_match_the_models():
    exported = export_json_schemas()
    committed = {p.name: p.read_text() for p in SCHEMA_DIR.glob("*.json")}
    assert set(committed) == set(exported), "run: python -m schediora_contracts.schema"
    for name, schema in exported.items():
        assert committed[name] == render(schema), f"{name} drifted from its model"


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: e.event_type)
def test_json_schema_accepts_the_wire_form_of_each_event(event):
    schema = export_json_schemas()[f"{event.event_type}.v{event.version}.json"]
    jsonschema.validate(json.loads(event.model_dump_json()), schema)
    broken = json.loads(event.model_dump_json())
    # Without a required field (the user, for the events that have one) it is refused.
    broken.pop("user_id" if "user_id" in broken else schema["required"][0])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)
