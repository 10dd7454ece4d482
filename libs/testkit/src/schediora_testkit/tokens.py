"""Signed access tokens for test suites: a throwaway Ed25519 key that signs any header/claims.

Not imported by service code. Tokens are built by hand rather than with `jwt.encode` so a test
can forge exactly the header or claims it means to (no `typ`, an attacker's `jwk`, ...).
"""

import base64
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

from schediora_runtime.security.keys import StaticJwks
from schediora_runtime.security.verifier import TokenVerifier

ISSUER = "schediora-auth"
AUDIENCE = "schediora-api"
ACCESS_TOKEN_SECONDS = 15 * 60


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


@dataclass(frozen=True)
class SigningKey:
    """An Ed25519 key pair with a kid, as auth holds one."""

    kid: str = field(default_factory=lambda: f"test-{uuid.uuid4().hex[:8]}")
    private_key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)

    def public_jwk(self) -> dict[str, Any]:
        jwk = OKPAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {**jwk, "kid": self.kid, "alg": "EdDSA", "use": "sig"}

    def sign(self, claims: dict[str, Any], **header: Any) -> str:
        """A compact JWS over `claims`; header entries override the defaults, None drops one."""
        full = {"alg": "EdDSA", "typ": "at+jwt", "kid": self.kid, **header}
        header = {k: v for k, v in full.items() if v is not None}
        signing_input = f"{segment(header)}.{segment(claims)}"
        return f"{signing_input}.{b64url(self.private_key.sign(signing_input.encode()))}"

    def access_token(self, user_id: uuid.UUID, **claims: Any) -> str:
        """A valid access token for `user_id`; claims override the defaults, None drops one."""
        return self.sign(access_claims(user_id, **claims))


def access_claims(user_id: uuid.UUID, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": str(user_id),
        "iat": now,
        "exp": now + ACCESS_TOKEN_SECONDS,
        "jti": uuid.uuid4().hex,
        **overrides,
    }
    return {k: v for k, v in claims.items() if v is not None}


def jwks(*keys: SigningKey) -> dict[str, Any]:
    return {"keys": [key.public_jwk() for key in keys]}


def static_verifier(*keys: SigningKey) -> TokenVerifier:
    """A verifier trusting exactly these keys, with the default issuer and audience."""
    return TokenVerifier(StaticJwks(jwks(*keys)), issuer=ISSUER, audience=AUDIENCE)


@dataclass(frozen=True)
class TokenUser:
    """A user as an API sees one: an id and the headers carrying its access token."""

    id: uuid.UUID
    headers: dict[str, str]


def user_with_token(key: SigningKey) -> TokenUser:
    """A new user id with a valid access token signed by `key`."""
    user_id = uuid.uuid4()
    return TokenUser(user_id, {"Authorization": f"Bearer {key.access_token(user_id)}"})
