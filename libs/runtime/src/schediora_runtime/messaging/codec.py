"""Turning events into envelopes and bytes, and back."""

import uuid
from datetime import UTC, datetime
from uuid import UUID

import orjson
from pydantic import ValidationError

from schediora_contracts import Event, EventEnvelope, UnknownEvent, payload_model


class UndecodableMessage(ValueError):
    """The body is not a valid envelope of a known event type and version: a poison message."""


def wrap(
    event: Event,
    *,
    producer: str,
    correlation_id: UUID | None = None,
    causation_id: UUID | None = None,
) -> EventEnvelope:
    return EventEnvelope(
        event_id=uuid.uuid4(),
        type=event.event_type,
        version=event.version,
        occurred_at=datetime.now(UTC),
        producer=producer,
        correlation_id=correlation_id,
        causation_id=causation_id,
        payload=event.model_dump(mode="json"),
    )


def encode(envelope: EventEnvelope) -> bytes:
    return orjson.dumps(envelope.model_dump(mode="json"))


def decode(body: bytes) -> tuple[EventEnvelope, Event]:
    """Parse an envelope and its payload; raise `UndecodableMessage` for anything unknown."""
    try:
        envelope = EventEnvelope.model_validate_json(body)
    except ValidationError as exc:
        raise UndecodableMessage(f"not an event envelope: {exc.error_count()} errors") from exc
    try:
        model = payload_model(envelope.type, envelope.version)
    except UnknownEvent as exc:
        raise UndecodableMessage(str(exc)) from exc
    try:
        return envelope, model.model_validate(envelope.payload)
    except ValidationError as exc:
        raise UndecodableMessage(
            f"invalid {envelope.type} v{envelope.version} payload: {exc.error_count()} errors"
        ) from exc
