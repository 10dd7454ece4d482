"""GET /api/v1/users/me and the access-token attacks it must refuse (docs/api.md)."""

import base64
import hashlib
import hmac
import json
import time
import uuid

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from auth.signing.keys import key_id
from schediora_testkit.tokens import SigningKey, access_claims, b64url, segment

from ..conftest import SIGNING_KEY
from ..factories import preferences, register

URL = "/api/v1/users/me"
KID = key_id(SIGNING_KEY.public_key())
OURS = SigningKey(kid=KID, private_key=SIGNING_KEY)


def _hs256(claims: dict, secret: bytes, **header) -> str:
    head = segment({"alg": "HS256", "typ": "at+jwt", "kid": KID, **header})
    signing_input = f"{head}.{segment(claims)}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def _tamper_sub(token: str, user_id: uuid.UUID) -> str:
    head, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return f"{head}.{segment(claims | {'sub': str(user_id)})}.{signature}"


def _forgeries(user_id: uuid.UUID, genuine: str) -> dict[str, str]:
    public_pem = SIGNING_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    public_jwk = json.dumps(OURS.public_jwk()).encode()
    claims = access_claims(user_id)
    now = int(time.time())
    attacker = SigningKey(kid=KID, private_key=Ed25519PrivateKey.generate())
    return {
        "alg none": f"{segment({'alg': 'none', 'typ': 'at+jwt', 'kid': KID})}.{segment(claims)}.",
        "hs256 with the public key as pem": _hs256(claims, public_pem),
        "hs256 with the public key as jwk": _hs256(claims, public_jwk),
        "signed by another key with our kid": attacker.sign(claims),
        "tampered sub": _tamper_sub(genuine, uuid.uuid4()),
        "expired": OURS.access_token(user_id, iat=now - 1000, exp=now - 60),
        "no exp": OURS.access_token(user_id, exp=None),
        "wrong aud": OURS.access_token(user_id, aud="someone-else"),
        "no aud": OURS.access_token(user_id, aud=None),
        "wrong iss": OURS.access_token(user_id, iss="https://evil.example"),
        "iss prefix": OURS.access_token(user_id, iss="schediora"),
        "typ JWT": OURS.sign(claims, typ="JWT"),
        "unknown kid": OURS.sign(claims, kid="not-a-key-we-have"),
        "jwk header naming the attacker's key": attacker.sign(claims, jwk=attacker.public_jwk()),
        "crit header": OURS.sign(claims, crit=["x"]),
        "garbage": "not.a.jwt",
        "empty segments": "..",
    }


async def test_me_answers_the_profile_with_null_preferences_until_set(client):
    account = await register(client, display_name="Grace")
    response = await client.get(URL, headers=account.bearer)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "id",
        "email",
        "display_name",
        "email_verified",
        "created_at",
        "preferences",
    }
    assert body["id"] == str(account.id)
    assert (body["email"], body["display_name"], body["preferences"]) == (
        account.email,
        "Grace",
        None,
    )
    await client.put("/api/v1/users/preferences", json=preferences(), headers=account.bearer)
    assert (await client.get(URL, headers=account.bearer)).json()["preferences"] == preferences()


async def test_without_a_token_me_is_401_with_a_bearer_challenge(client):
    response = await client.get(URL)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "authorization", ["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc", "bearer"]
)
async def test_a_malformed_authorization_header_is_401(client, authorization):
    response = await client.get(URL, headers={"Authorization": authorization})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_token_without_the_bearer_scheme_is_401(client):
    account = await register(client)
    response = await client.get(URL, headers={"Authorization": account.access_token})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_token_in_the_query_string_is_ignored(client):
    account = await register(client)
    response = await client.get(URL, params={"access_token": account.access_token})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_a_refresh_token_is_no_access_token(client):
    account = await register(client)
    response = await client.get(URL, headers={"Authorization": f"Bearer {account.refresh_token}"})
    assert response.status_code == 401


async def test_every_forged_token_gets_the_same_401(client):
    account = await register(client)
    assert (await client.get(URL, headers=account.bearer)).status_code == 200
    bodies = set()
    for name, token in _forgeries(account.id, account.access_token).items():
        response = await client.get(
            URL, headers={"Authorization": f"Bearer {token}", "X-Request-ID": "forgery"}
        )
        assert response.status_code == 401, name
        assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"', name
        bodies.add(response.content)
    assert len(bodies) == 1
    assert json.loads(bodies.pop())["code"] == "invalid_token"


async def test_a_valid_token_of_a_deleted_user_is_401(client, app):
    from sqlalchemy import delete

    from auth.users.models import User

    account = await register(client)
    async with app.state.runtime.sessionmaker.begin() as session:
        await session.execute(delete(User).where(User.id == account.id))
    response = await client.get(URL, headers=account.bearer)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
