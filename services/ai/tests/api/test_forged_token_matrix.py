"""Every protected ai operation, taken from the app's own OpenAPI document, refuses each forged
access token alike (docs/reliability.md, item 16); a new route without the bearer requirement
fails the test until it is listed as public here."""

from collections import Counter

import httpx

from schediora_testkit.forgery import FORGED, operations, refusals

PUBLIC = {("GET", "/health/live"), ("GET", "/health/ready")}


async def test_every_protected_operation_refuses_every_forged_token_alike(running_app, signing_key):
    served = operations(running_app.openapi())
    assert {operation for operation, protected in served.items() if not protected} == PUBLIC
    protected = sorted(operation for operation, needs_token in served.items() if needs_token)
    transport = httpx.ASGITransport(app=running_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answers = {
            (method, path, name): response
            for method, path in protected
            for name, response in (await refusals(client, signing_key, method, path)).items()
        }
    assert len(answers) == len(protected) * len(FORGED)
    assert {key: r.status_code for key, r in answers.items() if r.status_code != 401} == {}
    assert {r.headers["www-authenticate"] for r in answers.values()} == {
        'Bearer error="invalid_token"'
    }
    bodies = Counter(r.content for r in answers.values())
    assert len(bodies) == 1, bodies.most_common(3)
    print(
        f"\nFIGURES ai: {len(protected)} protected operations x {len(FORGED)} forged tokens"
        f" = {len(answers)} requests, all 401 with one body"
    )
