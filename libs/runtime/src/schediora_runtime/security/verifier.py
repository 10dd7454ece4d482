"""Verifies access tokens exactly as auth issues them: EdDSA JWS, `at+jwt`, fixed claims."""

import logging
import time
from collections.abc import Callable
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
DEFAULT_CACHE_SIZE = 4096
"""Verified tokens remembered per process: every user's current token on a busy replica."""


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


@dataclass(frozen=True)
class _Verified:
    claims: AccessClaims
    kid: str
    key: object
    expires: float


class TokenCache:
    """Tokens verified already, keyed by the raw token, each until its `exp` and never longer.

    Bounded: past `size` entries the oldest is dropped first. Only tokens that passed every
    check are kept. An entry is used only while the key that verified it is still the one its
    kid names, so a key withdrawn from the JWKS ends its tokens' entries too. `forget` and
    `forget_where` cut entries early: a revocation check (by jti or user) plugs in there, and
    must also run on the claims a hit returns, since a hit skips only the cryptography.
    """

    def __init__(self, size: int = DEFAULT_CACHE_SIZE, clock: Callable[[], float] = time.time):
        if size < 0:
            raise ValueError("size must be >= 0")
        self.size = size
        self._clock = clock
        self._entries: dict[str, _Verified] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, token: str) -> _Verified | None:
        entry = self._entries.get(token)
        if entry is not None and self._clock() >= entry.expires:
            del self._entries[token]
            return None
        return entry

    def put(self, token: str, entry: _Verified) -> None:
        if self.size == 0 or self._clock() >= entry.expires:
            return
        self._entries.pop(token, None)
        while len(self._entries) >= self.size:
            del self._entries[next(iter(self._entries))]
        self._entries[token] = entry

    def forget(self, token: str) -> None:
        self._entries.pop(token, None)

    def forget_where(self, revoked: Callable[[AccessClaims], bool]) -> int:
        """Drop every entry whose claims `revoked` says no longer hold; how many went."""
        gone = [token for token, entry in self._entries.items() if revoked(entry.claims)]
        for token in gone:
            del self._entries[token]
        return len(gone)

    def clear(self) -> None:
        self._entries.clear()


class TokenVerifier:
    """Checks signature, algorithm, header and claims; `verify` raises `InvalidToken`.

    A token is verified once: later requests with the same token are answered from `cache`
    (EdDSA verification and claim checks cost ~0.2 ms, paid otherwise on every request)."""

    def __init__(
        self,
        keys: KeySource,
        *,
        issuer: str,
        audience: str,
        leeway_seconds: float = 5.0,
        cache: TokenCache | None = None,
    ) -> None:
        if not 0 <= leeway_seconds <= MAX_LEEWAY_SECONDS:
            raise ValueError(f"leeway must be within 0..{MAX_LEEWAY_SECONDS} s")
        if not issuer or not audience:
            raise ValueError("issuer and audience are required")
        self.keys = keys
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway_seconds
        self.cache = cache if cache is not None else TokenCache()

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
        cached = self.cache.get(token)
        if cached is not None:
            # Still the key that verified it: a key withdrawn or replaced ends its tokens' hits.
            if await self.keys.get(cached.kid) is cached.key:
                return cached.claims
            self.cache.forget(token)
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
        verified = _access_claims(claims)
        # Remembered until `exp` itself, never into the leeway past it.
        self.cache.put(token, _Verified(verified, kid, key, verified.expires_at.timestamp()))
        return verified


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
