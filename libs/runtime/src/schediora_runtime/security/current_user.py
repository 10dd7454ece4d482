"""`CurrentUser`: the user id of a verified bearer token, or the same 401 for every failure."""

import logging
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from schediora_runtime.problems import ProblemError
from schediora_runtime.security.revocation import RevocationList
from schediora_runtime.security.verifier import AccessClaims, InvalidToken, TokenVerifier

logger = logging.getLogger(__name__)

# Only the Authorization header carries tokens: never a query parameter or cookie (RFC 6750
# §5.3; tokens in URLs end up in logs). Also declares the bearer scheme in the OpenAPI document.
_bearer = HTTPBearer(
    auto_error=False, bearerFormat="JWT", description="An access token issued by auth."
)


class InvalidTokenProblem(ProblemError):
    """401 with one fixed body, whatever was wrong: the reason is logged, never answered."""

    status = 401
    code = "invalid_token"

    def __init__(self, *, presented: bool) -> None:
        super().__init__("A valid access token is required.")
        self.presented = presented

    @property
    def challenge(self) -> str:
        # RFC 6750 §3.1: no error code when the request carried no token at all.
        return 'Bearer error="invalid_token"' if self.presented else "Bearer"

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": self.challenge}


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def _claims(request: Request, credentials: Credentials) -> AccessClaims:
    if credentials is None:
        raise InvalidTokenProblem(presented=False)
    verifier: TokenVerifier = request.app.state.token_verifier
    try:
        claims = await verifier.verify(credentials.credentials)
    except InvalidToken:
        raise InvalidTokenProblem(presented=True) from None
    # A separate step after verification: a valid signature says nothing about a session that
    # ended since (logout, password change, deleted account). A set lookup, no I/O.
    revocations: RevocationList | None = getattr(request.app.state, "revocations", None)
    if revocations is not None and revocations.is_revoked(claims):
        logger.info("access token refused: its session was revoked")
        raise InvalidTokenProblem(presented=True)
    return claims


async def _user_id(request: Request, credentials: Credentials) -> UUID:
    # `_claims` called directly rather than as a sub-dependency: one level less for FastAPI to
    # solve on every request (README: Performance).
    return (await _claims(request, credentials)).user_id


CurrentClaims = Annotated[AccessClaims, Depends(_claims)]
"""The verified claims of the request's access token (id, jti, issue and expiry times)."""
CurrentUser = Annotated[UUID, Depends(_user_id)]
"""The id of the user whose access token authenticated the request."""
