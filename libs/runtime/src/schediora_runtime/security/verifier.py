"""Verifies access tokens exactly as auth issues them: EdDSA JWS, `at+jwt`, fixed claims."""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Self
from uuid import UUID

import jwt

from schediora_runtime.security.keys import SIGNING_ALGORITHM, KeySource
from schediora_runtime.security.remote_jwks import RemoteJwks
from schediora_runtime.settings import ServiceSettings

logger = logging.getLogger(__name__)

# RFC 9068 §4: an access token's typ is "at+jwt" (the media-type form is equivalent); anything
# else, e.g. a plain "JWT", is another kind of token (RFC 8725 §3.11, §3.12).
ACCESS_TOKEN_TYPES = frozenset({"at+jwt", "application/at+jwt"})
# Key material or processing rules named by the token itself are never trusted (ASVS 9.1.3).
FORBIDDEN_HEADERS = frozenset({"jku", "x5u", "jwk", "x5c", "crit", "b64"})
MAX_TOKEN_LENGTH = 4096
MAX_KID_LENGTH = 128
MAX_LEEWAY_SECONDS = 5.0


class InvalidToken(Exception):
    """A refused token. The reason is for the log only; clients all get the same answer."""


@dataclass(frozen=True)
class AccessClaims:
    user_id: UUID
    jti: str
    issued_at: datetime
    expires_at: datetime
    session_id: UUID | None = None
    """`sid`: the session (refresh-token family) the token was issued in; revoked together."""


class TokenVerifier:
    """Checks signature, algorithm, header and claims; `verify` raises `InvalidToken`."""

    def __init__(
        self, keys: KeySource, *, issuer: str, audience: str, leeway_seconds: float = 5.0
    ) -> None:
        if not 0 <= leeway_seconds <= MAX_LEEWAY_SECONDS:
            raise ValueError(f"leeway must be within 0..{MAX_LEEWAY_SECONDS} s")
        if not issuer or not audience:
            raise ValueError("issuer and audience are required")
        self.keys = keys
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway_seconds

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> Self:
        """Verifies against auth's published JWKS (`auth_jwks_url`)."""
        keys = RemoteJwks(
            settings.auth_jwks_url,
            timeout_seconds=settings.jwks_timeout_seconds,
            cache_seconds=settings.jwks_cache_seconds,
        )
        return cls(keys, issuer=settings.jwt_issuer, audience=settings.jwt_audience)

    async def aclose(self) -> None:
        await self.keys.aclose()

    async def verify(self, token: str) -> AccessClaims:
        try:
            return await self._verify(token)
        except InvalidToken as exc:
            logger.info("access token refused: %s", exc)
            raise
        except (jwt.PyJWTError, ValueError, TypeError, OverflowError) as exc:
            # Whatever a crafted token trips over is a 401: never a 500 (fail closed).
            logger.info("access token refused: %s: %s", exc.__class__.__name__, exc)
            raise InvalidToken(exc.__class__.__name__) from exc

    async def _verify(self, token: str) -> AccessClaims:
        if len(token) > MAX_TOKEN_LENGTH:
            raise InvalidToken("too long")
        kid = _checked_kid(jwt.get_unverified_header(token))
        key = await self.keys.get(kid)
        if key is None:
            raise InvalidToken(f"unknown kid {kid!r}")
        claims = jwt.decode(
            token,
            key,
            algorithms=["EdDSA"],
            audience=self._audience,
            issuer=self._issuer,
            leeway=self._leeway,
            options={"require": ["exp", "iat", "sub", "aud", "iss", "jti"]},
        )
        return _access_claims(claims)


def _checked_kid(header: dict[str, Any]) -> str:
    """The header's kid, once the header is exactly what auth writes on an access token."""
    # Checked before any key lookup, so a forged header never makes us fetch keys.
    if header.get("alg") != SIGNING_ALGORITHM:
        raise InvalidToken(f"alg {header.get('alg')!r} not allowed")
    if header.get("typ") not in ACCESS_TOKEN_TYPES:
        raise InvalidToken(f"typ {header.get('typ')!r} is not an access token")
    if forbidden := FORBIDDEN_HEADERS.intersection(header):
        raise InvalidToken(f"forbidden header parameters {sorted(forbidden)}")
    kid = header.get("kid")
    if not isinstance(kid, str) or not 0 < len(kid) <= MAX_KID_LENGTH:
        raise InvalidToken("missing or malformed kid")
    return kid


def _access_claims(claims: dict[str, Any]) -> AccessClaims:
    sub, jti = claims["sub"], claims["jti"]
    try:
        user_id = UUID(sub)
    except ValueError:
        raise InvalidToken("sub is not a UUID") from None
    if str(user_id) != sub:
        raise InvalidToken("sub is not a UUID in canonical form")
    if not isinstance(jti, str) or not jti:
        raise InvalidToken("jti is not a string")
    try:
        issued_at = datetime.fromtimestamp(int(claims["iat"]), UTC)
        expires_at = datetime.fromtimestamp(int(claims["exp"]), UTC)
    except (OverflowError, OSError, ValueError):
        raise InvalidToken("iat or exp out of range") from None
    return AccessClaims(
        user_id=user_id,
        jti=jti,
        issued_at=issued_at,
        expires_at=expires_at,
        session_id=_session_id(claims.get("sid")),
    )


def _session_id(sid: Any) -> UUID | None:
    if sid is None:
        return None
    try:
        return UUID(sid)
    except (ValueError, TypeError, AttributeError):
        raise InvalidToken("sid is not a UUID") from None
