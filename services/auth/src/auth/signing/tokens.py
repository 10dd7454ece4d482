"""Access tokens: short-lived EdDSA JWS with `typ: at+jwt` (RFC 9068) and fixed claims."""

import uuid
from datetime import datetime
from uuid import UUID

import jwt

from auth.signing.keys import ALGORITHM, KeyRing


class AccessTokenSigner:
    def __init__(self, keys: KeyRing, *, issuer: str, audience: str, ttl_seconds: int) -> None:
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.ttl_seconds = ttl_seconds

    def issue(self, user_id: UUID, now: datetime, session_id: UUID) -> str:
        """`session_id` (claim `sid`) is the refresh-token family: revoking it revokes this."""
        issued_at = int(now.timestamp())
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": str(user_id),
            "iat": issued_at,
            "exp": issued_at + self.ttl_seconds,
            "jti": str(uuid.uuid4()),
            "sid": str(session_id),
        }
        return jwt.encode(
            claims,
            self.keys.signing_key,
            algorithm=ALGORITHM,
            headers={"kid": self.keys.kid, "typ": "at+jwt"},
        )
