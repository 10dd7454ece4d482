"""Access tokens as issued: header, claims, lifetime, and accepted by the shared verifier."""

import base64
import json
import uuid
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from auth.signing.keys import KeyRing
from auth.signing.tokens import AccessTokenSigner
from schediora_runtime.security import StaticJwks, TokenVerifier


def _segment(token: str, index: int) -> dict:
    part = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _signer(ttl: int = 900) -> AccessTokenSigner:
    ring = KeyRing(Ed25519PrivateKey.generate())
    return AccessTokenSigner(
        ring, issuer="schediora-auth", audience="schediora-api", ttl_seconds=ttl
    )


def test_header_and_claims_follow_the_shared_token_format():
    signer, user_id, session_id = _signer(), uuid.uuid4(), uuid.uuid4()
    token = signer.issue(user_id, datetime.now(UTC), session_id)
    assert _segment(token, 0) == {"alg": "EdDSA", "kid": signer.keys.kid, "typ": "at+jwt"}
    claims = _segment(token, 1)
    assert set(claims) == {"iss", "aud", "sub", "iat", "exp", "jti", "sid"}
    assert claims["sid"] == str(session_id)
    assert (claims["iss"], claims["aud"], claims["sub"]) == (
        "schediora-auth",
        "schediora-api",
        str(user_id),
    )
    assert claims["exp"] - claims["iat"] == 900


def test_every_token_has_its_own_jti():
    signer, now = _signer(), datetime.now(UTC)
    assert (
        len({_segment(signer.issue(uuid.uuid4(), now, uuid.uuid4()), 1)["jti"] for _ in range(50)})
        == 50
    )


async def test_the_shared_verifier_accepts_them():
    signer, user_id, session_id = _signer(), uuid.uuid4(), uuid.uuid4()
    verifier = TokenVerifier(
        StaticJwks(signer.keys.jwks()), issuer="schediora-auth", audience="schediora-api"
    )
    claims = await verifier.verify(signer.issue(user_id, datetime.now(UTC), session_id))
    assert claims.user_id == user_id
    assert claims.session_id == session_id
    assert (claims.expires_at - claims.issued_at).total_seconds() == 900
