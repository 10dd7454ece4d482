"""Every protected ai operation, taken from the app's own OpenAPI document, refuses each forged
access token alike (docs/reliability.md, item 16); a new route without the bearer requirement
fails the test until it is listed as public here."""

import httpx

from schediora_testkit.forgery import (
    FORGED,
    assert_every_protected_operation_refuses_forgeries_alike,
)

PUBLIC = {("GET", "/health/live"), ("GET", "/health/ready")}


async def test_every_protected_operation_refuses_every_forged_token_alike(running_app, signing_key):
    transport = httpx.ASGITransport(app=running_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        protected, sent = await assert_every_protected_operation_refuses_forgeries_alike(
            client, running_app.openapi(), signing_key, PUBLIC
        )
    print(f"\nFIGURES ai: {protected} protected operations x {len(FORGED)} forgeries = {sent}")
