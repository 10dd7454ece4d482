"""Input PostgreSQL cannot store, or bodies ai cannot read: `422 validation_error` naming the
field, never a 500, and nothing written (DEVELOPERS.md: HTTP conventions)."""

from schediora_testkit.input_probes import assert_refuses_hostile_input


async def test_text_the_database_cannot_store_and_unreadable_bodies_are_refused(
    client, alice, running_app
):
    await assert_refuses_hostile_input(
        client,
        running_app,
        headers=alice.headers,
        schema="ai",
        reaches={"POST /api/v1/feedback body.comments", "GET /api/v1/feedback query.cursor"},
    )
