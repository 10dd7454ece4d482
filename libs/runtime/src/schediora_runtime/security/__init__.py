"""Access-token verification every service with user endpoints shares (docs/architecture.md)."""

from schediora_runtime.security.current_user import (
    CurrentClaims,
    CurrentUser,
    InvalidTokenProblem,
)
from schediora_runtime.security.keys import KeySource, StaticJwks, parse_jwks
from schediora_runtime.security.remote_jwks import RemoteJwks
from schediora_runtime.security.verifier import AccessClaims, InvalidToken, TokenVerifier

__all__ = [
    "AccessClaims",
    "CurrentClaims",
    "CurrentUser",
    "InvalidToken",
    "InvalidTokenProblem",
    "KeySource",
    "RemoteJwks",
    "StaticJwks",
    "TokenVerifier",
    "parse_jwks",
]
