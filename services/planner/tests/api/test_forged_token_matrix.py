"""Every protected planner operation, taken from the app's own OpenAPI document, refuses each
forged access token alike (docs/reliability.md, item 16): a new route is in the matrix by
being served, and a new route without the bearer requirement fails the test until it is
listed as public here."""

from schediora_testkit.forgery import (
    FORGED,
    assert_every_protected_operation_refuses_forgeries_alike,
)

PUBLIC = {
    ("GET", "/health/live"),
    ("GET", "/health/ready"),
    # The calendar app's feed: its secret is in the path (test_calendar_feed.py).
    ("GET", "/api/v1/calendar/feed/{token}.ics"),
}


async def test_every_protected_operation_refuses_every_forged_token_alike(
    client, running_app, signing_key
):
    protected, sent = await assert_every_protected_operation_refuses_forgeries_alike(
        client, running_app.openapi(), signing_key, PUBLIC
    )
    print(f"\nFIGURES planner: {protected} protected operations x {len(FORGED)} forgeries = {sent}")
