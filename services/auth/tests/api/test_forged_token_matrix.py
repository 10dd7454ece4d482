"""Every protected auth operation, taken from the app's own OpenAPI document, refuses each
forged access token alike (docs/reliability.md, item 16); a new route without the bearer
requirement fails the test until it is listed as public here. The forgeries are made with auth's
own signing key, so only what each one forges is wrong."""

from auth.signing.keys import key_id
from schediora_testkit.forgery import (
    FORGED,
    assert_every_protected_operation_refuses_forgeries_alike,
)
from schediora_testkit.tokens import SigningKey

from ..conftest import SIGNING_KEY

# Signing up, signing in and the mailed links come before there is a token; the JWKS is public.
PUBLIC = {
    ("GET", "/health/live"),
    ("GET", "/health/ready"),
    ("GET", "/api/v1/auth/jwks.json"),
    ("POST", "/api/v1/auth/register"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/refresh"),
    ("POST", "/api/v1/auth/logout"),
    ("POST", "/api/v1/auth/password/forgot"),
    ("POST", "/api/v1/auth/password/reset"),
    ("POST", "/api/v1/auth/verify-email"),
}


async def test_every_protected_operation_refuses_every_forged_token_alike(app, client):
    key = SigningKey(kid=key_id(SIGNING_KEY.public_key()), private_key=SIGNING_KEY)
    protected, sent = await assert_every_protected_operation_refuses_forgeries_alike(
        client, app.openapi(), key, PUBLIC
    )
    print(f"\nFIGURES auth: {protected} protected operations x {len(FORGED)} forgeries = {sent}")
