"""Every protected auth operation, taken from the app's own OpenAPI document, refuses each
forged access token alike (docs/reliability.md, item 16); a new route without the bearer
requirement fails the test until it is listed as public here. The forgeries are made with auth's
own signing key, so only what each one forges is wrong."""

from collections import Counter

from auth.signing.keys import key_id
from schediora_testkit.forgery import FORGED, operations, refusals
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
    served = operations(app.openapi())
    assert {operation for operation, protected in served.items() if not protected} == PUBLIC
    protected = sorted(operation for operation, needs_token in served.items() if needs_token)
    key = SigningKey(kid=key_id(SIGNING_KEY.public_key()), private_key=SIGNING_KEY)
    answers = {
        (method, path, name): response
        for method, path in protected
        for name, response in (await refusals(client, key, method, path)).items()
    }
    assert len(answers) == len(protected) * len(FORGED)
    assert {k: r.status_code for k, r in answers.items() if r.status_code != 401} == {}
    assert {r.headers["www-authenticate"] for r in answers.values()} == {
        'Bearer error="invalid_token"'
    }
    bodies = Counter(r.content for r in answers.values())
    assert len(bodies) == 1, bodies.most_common(3)
    print(
        f"\nFIGURES auth: {len(protected)} protected operations x {len(FORGED)} forged tokens"
        f" = {len(answers)} requests, all 401 with one body"
    )
