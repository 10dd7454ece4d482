"""GET /api/v1/auth/jwks.json: the public keys, and tokens name one of them."""

import base64
import json

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from auth.signing.keys import key_id

from ..conftest import SIGNING_KEY, make_settings, running
from ..factories import register


def _header(token: str) -> dict:
    part = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


async def test_jwks_publishes_the_signing_key_without_private_material(client):
    response = await client.get("/api/v1/auth/jwks.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    (jwk,) = response.json()["keys"]
    assert set(jwk) == {"kty", "crv", "x", "kid", "alg", "use"}
    assert (jwk["kty"], jwk["crv"], jwk["alg"], jwk["use"]) == ("OKP", "Ed25519", "EdDSA", "sig")
    assert jwk["kid"] == key_id(SIGNING_KEY.public_key())
    account = await register(client)
    assert _header(account.access_token) == {"alg": "EdDSA", "kid": jwk["kid"], "typ": "at+jwt"}


async def test_jwks_needs_no_token(client):
    response = await client.get("/api/v1/auth/jwks.json", headers={"Authorization": "Bearer x"})
    assert response.status_code == 200


async def test_during_a_rotation_both_keys_are_published_and_the_new_one_signs(test_database):
    old = Ed25519PrivateKey.generate()
    old_public = (
        old.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    async with running(make_settings(jwt_previous_public_keys=old_public)) as (_, client):
        kids = [k["kid"] for k in (await client.get("/api/v1/auth/jwks.json")).json()["keys"]]
        assert kids == [key_id(SIGNING_KEY.public_key()), key_id(old.public_key())]
        account = await register(client)
        assert _header(account.access_token)["kid"] == kids[0]
