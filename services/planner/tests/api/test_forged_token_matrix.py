"""Every protected planner operation, taken from the app's own OpenAPI document, refuses each
forged access token alike (docs/reliability.md, item 16): a new route is in the matrix by
being served, and a new route without the bearer requirement fails the test until it is
listed as public here."""

from collections import Counter

from schediora_testkit.forgery import FORGED, operations, refusals

PUBLIC = {
    ("GET", "/health/live"),
    ("GET", "/health/ready"),
    # The calendar app's feed: its secret is in the path (test_calendar_feed.py).
    ("GET", "/api/v1/calendar/feed/{token}.ics"),
}


async def test_every_protected_operation_refuses_every_forged_token_alike(
    client, running_app, signing_key
):
    served = operations(running_app.openapi())
    assert {operation for operation, protected in served.items() if not protected} == PUBLIC
    protected = sorted(operation for operation, needs_token in served.items() if needs_token)
    answers = {}
    for method, path in protected:
        for name, response in (await refusals(client, signing_key, method, path)).items():
            answers[(method, path, name)] = response
    assert len(answers) == len(protected) * len(FORGED)
    wrong = {key: r.status_code for key, r in answers.items() if r.status_code != 401}
    assert wrong == {}
    assert {r.headers["www-authenticate"] for r in answers.values()} == {
        'Bearer error="invalid_token"'
    }
    bodies = Counter(r.content for r in answers.values())
    assert len(bodies) == 1, bodies.most_common(3)
    print(
        f"\nFIGURES planner: {len(protected)} protected operations x {len(FORGED)} forged tokens"
        f" = {len(answers)} requests, all 401 with one body"
    )
