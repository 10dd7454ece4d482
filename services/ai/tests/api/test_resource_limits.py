"""Page sizes (docs/reliability.md, item 33): every ai operation that pages, read from the
OpenAPI document, refuses `limit=10000` (and 0, 101) with a 422 naming `limit` and serves 100."""

from schediora_testkit.input_probes import probe_page_sizes


async def test_every_listing_refuses_a_page_over_100(client, alice, running_app):
    probed, failures = await probe_page_sizes(client, running_app.openapi(), headers=alice.headers)
    assert probed == ["GET /api/v1/feedback"]
    assert failures == []
