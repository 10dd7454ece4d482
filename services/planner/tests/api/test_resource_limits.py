"""Page sizes (docs/reliability.md, item 33): every planner operation that pages, read from the
OpenAPI document, refuses `limit=10000` (and 0, 101) with a 422 naming `limit` and serves 100.
The 6th plan request in a minute is `test_request_quota.py`'s; bodies over 1 MiB are refused at
the gateway (`tests/platform/test_resource_limits.py`)."""

from schediora_testkit.input_probes import probe_page_sizes


async def test_every_listing_refuses_a_page_over_100(client, alice, clock, running_app):
    probed, failures = await probe_page_sizes(client, running_app.openapi(), headers=alice.headers)
    assert probed == ["GET /api/v1/subjects", "GET /api/v1/plans", "GET /api/v1/sessions"]
    assert failures == []
