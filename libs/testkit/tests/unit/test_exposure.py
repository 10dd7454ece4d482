"""The response sweep finds what it is meant to find, however a body spells it: a value as
text, a stored hash as hex or base64, a field named like a hash, in the body or a header."""

import base64
import hashlib

import httpx
import pytest

from schediora_testkit.exposure import exposures, fill, forbidden_spellings

DIGEST = hashlib.sha256(b"a refresh token").digest()
FORBIDDEN = {"Alice's id": "0b6f2c1e-7d4a-4f3b-9c2e-5a1d8e7f6b3c", "a token hash": DIGEST}


def _json(body: str, **headers: str) -> httpx.Response:
    return httpx.Response(
        200, content=body.encode(), headers={"content-type": "application/json", **headers}
    )


def test_each_spelling_of_a_forbidden_value_is_found():
    spelled = forbidden_spellings(FORBIDDEN)
    for text in (
        DIGEST.hex(),
        DIGEST.hex().upper(),
        base64.b64encode(DIGEST).decode(),
        base64.urlsafe_b64encode(DIGEST).decode().rstrip("="),
    ):
        assert exposures(_json(f'{{"x": "{text}"}}'), spelled) == ["a token hash"]
    assert exposures(
        _json("{}", location="/plans/0b6f2c1e-7d4a-4f3b-9c2e-5a1d8e7f6b3c"), spelled
    ) == ["Alice's id"]
    assert exposures(_json('{"id": "mine"}'), spelled) == []


def test_a_field_named_like_a_hash_or_a_password_is_found_at_any_depth():
    body = '{"items": [{"user": {"password_hash": null}}], "token_hash": 1, "title": "x"}'
    assert exposures(_json(body), {}) == ["field password_hash", "field token_hash"]
    assert exposures(_json('{"salt": 1}'), {}, frozenset({"salt"})) == []


def test_fill_refuses_a_parameter_it_has_no_value_for():
    assert fill("/plans/{plan_id}", {"plan_id": "p"}) == "/plans/p"
    with pytest.raises(KeyError, match="note_id"):
        fill("/plans/{plan_id}/notes/{note_id}", {"plan_id": "p"})
