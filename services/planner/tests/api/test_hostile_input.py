"""Input PostgreSQL cannot store, or bodies the planner cannot read: `422 validation_error`
naming the field, never a 500, and nothing written (DEVELOPERS.md: HTTP conventions)."""

from schediora_testkit.input_probes import assert_refuses_hostile_input


async def test_text_the_database_cannot_store_and_unreadable_bodies_are_refused(
    client, alice, running_app
):
    await assert_refuses_hostile_input(
        client,
        running_app,
        headers=alice.headers,
        schema="planner",
        # The walk reaches nested models, lists, query, path and header parameters.
        reaches={
            "POST /api/v1/plans body.sessions.0.title",
            "POST /api/v1/ai/plans/reschedule body.feedback.comments",
            "GET /api/v1/subjects query.cursor",
            "POST /api/v1/ai/plans/generate header.Idempotency-Key",
        },
    )
