"""The wire format: envelopes round-trip, and anything unknown is a poison message."""

import uuid

import orjson
import pytest

from schediora_contracts import UserRegistered
from schediora_runtime.messaging.codec import UndecodableMessage, decode, encode, wrap

from ..factories import user_registered


def test_an_event_survives_wrap_encode_and_decode():
    event = user_registered(seq=7)
    correlation = uuid.uuid4()
    envelope = wrap(event, producer="auth", correlation_id=correlation)

    decoded_envelope, decoded_event = decode(encode(envelope))

    assert decoded_envelope == envelope
    assert decoded_event == event
    assert isinstance(decoded_event, UserRegistered)
    assert decoded_envelope.routing_key == "auth.user_registered.v1"
    assert decoded_envelope.correlation_id == correlation


def test_every_wrap_gets_a_new_event_id():
    event = user_registered()
    assert len({wrap(event, producer="auth").event_id for _ in range(100)}) == 100


def test_an_unknown_version_is_undecodable():
    body = orjson.loads(encode(wrap(user_registered(), producer="auth")))
    body["version"] = 99

    with pytest.raises(UndecodableMessage, match=r"unknown event auth\.user_registered v99"):
        decode(orjson.dumps(body))


def test_an_unknown_type_is_undecodable():
    body = orjson.loads(encode(wrap(user_registered(), producer="auth")))
    body["type"] = "auth.user_vanished"

    with pytest.raises(UndecodableMessage, match="unknown event"):
        decode(orjson.dumps(body))


@pytest.mark.parametrize("body", [b"not json at all", b"", b"\xff\xfe", b"[1, 2]", b"null"])
def test_a_body_that_is_not_a_json_envelope_is_undecodable(body):
    with pytest.raises(UndecodableMessage, match="not an event envelope"):
        decode(body)


def test_a_payload_breaking_the_contract_is_undecodable():
    body = orjson.loads(encode(wrap(user_registered(), producer="auth")))
    del body["payload"]["user_id"]

    with pytest.raises(UndecodableMessage, match=r"invalid auth.user_registered v1 payload: 1 err"):
        decode(orjson.dumps(body))


def test_fields_added_later_are_ignored_by_consumers():
    body = orjson.loads(encode(wrap(user_registered(seq=3), producer="auth")))
    body["added_in_a_later_release"] = True
    body["payload"]["nickname"] = "ada"

    _, event = decode(orjson.dumps(body))

    assert event.display_name == "3"
