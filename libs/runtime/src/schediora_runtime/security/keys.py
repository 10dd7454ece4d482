"""Where verification keys come from: the source interface, JWKS parsing, and a fixed JWKS."""

import logging
from collections.abc import Mapping
from typing import Any, Protocol

from jwt import PyJWK, PyJWTError

logger = logging.getLogger(__name__)

SIGNING_ALGORITHM = "EdDSA"


class KeySource(Protocol):
    """Public keys by `kid`; `None` for a kid it does not know."""

    async def get(self, kid: str) -> PyJWK | None: ...

    async def aclose(self) -> None: ...


def parse_jwks(document: object) -> dict[str, PyJWK]:
    """The Ed25519 signature keys of a JWKS by kid; any other entry is skipped and logged."""
    if not isinstance(document, Mapping) or not isinstance(document.get("keys"), list):
        raise ValueError("a JWKS is a JSON object with a 'keys' list")
    keys: dict[str, PyJWK] = {}
    for jwk in document["keys"]:
        reason = _unusable(jwk)
        if reason is None:
            try:
                keys[jwk["kid"]] = PyJWK(jwk, algorithm=SIGNING_ALGORITHM)
                continue
            except PyJWTError as exc:
                reason = f"invalid key material ({exc.__class__.__name__})"
        kid = jwk.get("kid") if isinstance(jwk, Mapping) else None
        logger.warning("skipped JWKS entry kid=%r: %s", kid, reason)
    return keys


def _unusable(jwk: Any) -> str | None:
    """Why a JWK is not an Ed25519 public signature key we accept, or None if it is."""
    if not isinstance(jwk, Mapping):
        return "not an object"
    if not isinstance(jwk.get("kid"), str) or not jwk["kid"]:
        return "no kid"
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        return "not an Ed25519 key"
    if jwk.get("alg", SIGNING_ALGORITHM) != SIGNING_ALGORITHM or jwk.get("use", "sig") != "sig":
        return "not an EdDSA signature key"
    if "d" in jwk:
        # A published private key is a leaked one: never verify with it.
        return "contains private key material"
    return None


class StaticJwks:
    """A fixed JWKS, e.g. auth verifying with its own public keys; refuses an empty one."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self._keys = parse_jwks(document)
        if not self._keys:
            raise ValueError("the JWKS holds no Ed25519 signature key")

    async def get(self, kid: str) -> PyJWK | None:
        return self._keys.get(kid)

    async def aclose(self) -> None:
        return None
