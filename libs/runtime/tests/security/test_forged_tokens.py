"""Forged tokens: every forged or misplaced token gets the same 401."""

import logging
import time

import jwt
import pytest

from schediora_testkit.forgery import FORGED
from schediora_testkit.tokens import SigningKey, access_claims

PROTECTED = "/api/v1/me"
BAD_TOKEN_CHALLENGE = 'Bearer error="invalid_token"'


def bearer(token: str) -> dict[str, bytes]:
    # Bytes, so that a non-ASCII token reaches the app as sent.
    return {"Authorization": f"Bearer {token}".encode()}


async def _refusal(client) -> bytes:
    """The reference 401 body: what a request without any token gets."""
    response = await client.get(PROTECTED)
    assert response.status_code == 401
    return response.content


async def test_a_valid_token_is_accepted(client, key, user_id):
    response = await client.get(PROTECTED, headers=bearer(key.access_token(user_id)))
    assert response.status_code == 200
    assert response.json() == {"user_id": str(user_id)}


async def test_the_scheme_name_is_case_insensitive(client, key, user_id):
    token = key.access_token(user_id)
    response = await client.get(PROTECTED, headers={"Authorization": f"bearer {token}"})
    assert response.status_code == 200


async def test_a_token_expired_within_the_leeway_is_accepted(client, key, user_id):
    token = key.sign(access_claims(user_id, exp=int(time.time()) - 3))
    assert (await client.get(PROTECTED, headers=bearer(token))).status_code == 200


async def test_a_token_pyjwt_encodes_as_auth_does_is_accepted(client, key, user_id):
    """The issuing side's likely code (jwt.encode with typ and kid headers) interoperates."""
    token = jwt.encode(
        access_claims(user_id),
        key.private_key,
        algorithm="EdDSA",
        headers={"typ": "at+jwt", "kid": key.kid},
    )
    assert (await client.get(PROTECTED, headers=bearer(token))).status_code == 200


@pytest.mark.parametrize("case", FORGED)
async def test_a_forged_token_gets_the_one_401(client, key, user_id, case, caplog):
    refusal = await _refusal(client)
    with caplog.at_level(logging.INFO):
        response = await client.get(PROTECTED, headers=bearer(FORGED[case](key, user_id)))
    assert response.status_code == 401
    assert response.content == refusal
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == BAD_TOKEN_CHALLENGE
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_the_whole_matrix_answers_byte_identical_bodies_and_no_server_error(
    client, key, user_id
):
    refusal = await _refusal(client)
    statuses, bodies = {}, set()
    for case, forge in FORGED.items():
        response = await client.get(PROTECTED, headers=bearer(forge(key, user_id)))
        statuses[case] = response.status_code
        bodies.add(response.content)
    assert set(statuses.values()) == {401}, statuses
    assert bodies == {refusal}
    body = refusal.decode()
    assert '"code":"invalid_token"' in body
    # Nothing says why: no library names, no reason.
    for leak in ("jwt", "kid", "signature", "expired", "audience", "issuer", "alg"):
        assert leak not in body.lower()


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic dXNlcjpwYXNzd29yZA=="},
        {"Authorization": ""},
    ],
    ids=["no header", "scheme only", "scheme and space", "basic auth", "empty header"],
)
async def test_a_request_without_a_bearer_token_gets_the_one_401_without_an_error_code(
    client, headers
):
    refusal = await _refusal(client)
    response = await client.get(PROTECTED, headers=headers)
    assert response.status_code == 401
    assert response.content == refusal
    # RFC 6750 §3.1: a request with no token gets the challenge without an error code.
    assert response.headers["www-authenticate"] == "Bearer"


async def test_a_valid_token_under_another_scheme_is_ignored(client, key, user_id):
    token = key.access_token(user_id)
    response = await client.get(PROTECTED, headers={"Authorization": f"Token {token}"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_a_valid_token_in_the_query_string_or_a_cookie_is_ignored(client, key, user_id):
    """Test 27: tokens travel only in the Authorization header, never in a URL."""
    token = key.access_token(user_id)
    refusal = await _refusal(client)
    in_query = await client.get(PROTECTED, params={"access_token": token})
    in_cookie = await client.get(PROTECTED, headers={"Cookie": f"access_token={token}"})
    for response in (in_query, in_cookie):
        assert response.status_code == 401
        assert response.content == refusal
        assert response.headers["www-authenticate"] == "Bearer"


async def test_a_refused_token_is_logged_without_the_token(client, key, user_id, caplog):
    token = SigningKey(kid=key.kid).access_token(user_id)
    with caplog.at_level(logging.DEBUG):
        response = await client.get(PROTECTED, headers=bearer(token))
    assert response.status_code == 401
    assert "access token refused" in caplog.text
    for part in token.split("."):
        assert part not in caplog.text
