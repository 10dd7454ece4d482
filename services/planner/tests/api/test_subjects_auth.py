"""Every subjects route needs a valid access token (docs/api.md: Conventions)."""

import hashlib
import hmac
import time
import uuid

import pytest
from cryptography.hazmat.primitives import serialization

from schediora_testkit.tokens import SigningKey, access_claims, b64url, segment

from .factories import SUBJECTS, create_subject, list_all


def _alg_none(key: SigningKey, user_id: uuid.UUID) -> str:
    header = {"alg": "none", "typ": "at+jwt", "kid": key.kid}
    return f"{segment(header)}.{segment(access_claims(user_id))}."


def _hs256_with_public_pem(key: SigningKey, user_id: uuid.UUID) -> str:
    pem = key.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = (
        f"{segment({'alg': 'HS256', 'typ': 'at+jwt', 'kid': key.kid})}."
        f"{segment(access_claims(user_id))}"
    )
    mac = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(mac)}"


def _tampered(key: SigningKey, user_id: uuid.UUID) -> str:
    header, _, signature = key.access_token(user_id).split(".")
    return f"{header}.{segment(access_claims(uuid.uuid4()))}.{signature}"


FORGED = {
    "alg none": _alg_none,
    "HS256 with the public key": _hs256_with_public_pem,
    "expired": lambda k, u: k.sign(access_claims(u, exp=int(time.time()) - 60)),
    "wrong aud": lambda k, u: k.sign(access_claims(u, aud="schediora-admin")),
    "wrong iss": lambda k, u: k.sign(access_claims(u, iss="https://evil.example")),
    "tampered sub": _tampered,
    "unknown kid": lambda k, u: SigningKey().access_token(u),
    "signed by another key under the real kid": lambda k, u: SigningKey(kid=k.kid).access_token(u),
    "typ refresh": lambda k, u: k.sign(access_claims(u), typ="refresh"),
    "garbage": lambda k, u: "garbage",
}


async def _refusal(client) -> bytes:
    response = await client.get(SUBJECTS)
    assert response.status_code == 401
    return response.content


@pytest.mark.parametrize("case", FORGED)
async def test_a_forged_token_cannot_list_subjects(client, signing_key, alice, case):
    await create_subject(client, alice, "Secret")
    refusal = await _refusal(client)
    token = FORGED[case](signing_key, alice.id)
    response = await client.get(SUBJECTS, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.content == refusal
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert response.json()["code"] == "invalid_token"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer"}, {"Authorization": "Basic YWxpY2U6cGFzc3dvcmQ="}],
    ids=["no header", "no token", "basic"],
)
async def test_a_request_without_a_bearer_token_gets_the_same_401(client, headers):
    refusal = await _refusal(client)
    response = await client.get(SUBJECTS, headers=headers)
    assert response.status_code == 401
    assert response.content == refusal
    assert response.headers["www-authenticate"] == "Bearer"


async def test_a_token_in_the_query_string_is_ignored(client, signing_key, alice):
    token = signing_key.access_token(alice.id)
    response = await client.get(SUBJECTS, params={"access_token": token})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_every_subjects_route_refuses_a_forged_token_and_changes_nothing(
    client, signing_key, alice
):
    subject = await create_subject(client, alice, "Untouched")
    forged = {"Authorization": f"Bearer {_alg_none(signing_key, alice.id)}"}
    url = f"{SUBJECTS}/{subject['id']}"
    responses = [
        await client.get(SUBJECTS, headers=forged),
        await client.post(SUBJECTS, json={"name": "Injected"}, headers=forged),
        await client.patch(url, json={"name": "Changed"}, headers=forged),
        await client.delete(url, headers=forged),
    ]
    assert [r.status_code for r in responses] == [401] * 4
    assert len({r.content for r in responses}) == 1
    assert await list_all(client, alice) == [subject]


def test_the_openapi_document_marks_every_subjects_operation_as_bearer_protected(running_app):
    paths = running_app.openapi()["paths"]
    operations = [
        operation
        for path, item in paths.items()
        if path.startswith(SUBJECTS)
        for operation in item.values()
    ]
    assert len(operations) == 4
    assert all(operation["security"] == [{"HTTPBearer": []}] for operation in operations)
