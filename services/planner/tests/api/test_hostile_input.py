"""Input PostgreSQL cannot store, or bodies the planner cannot read: `422 validation_error`
naming the field, never a 500, and nothing written (DEVELOPERS.md: HTTP conventions)."""

from schediora_testkit.input_probes import probe_text_fields, probe_unreadable_bodies, text_fields


async def test_every_text_field_refuses_nul_and_lone_surrogates(client, alice, running_app):
    document = running_app.openapi()
    fields = {str(field) for field in text_fields(document)}
    # The walk reaches nested models, lists, query, path and header parameters.
    assert "POST /api/v1/plans body.sessions.0.title" in fields
    assert "POST /api/v1/ai/plans/reschedule body.feedback.comments" in fields
    assert "GET /api/v1/subjects query.cursor" in fields
    assert "POST /api/v1/ai/plans/generate header.Idempotency-Key" in fields
    sent, failures = await probe_text_fields(
        client,
        document,
        headers=alice.headers,
        engine=running_app.state.runtime.engine,
        schema="planner",
    )
    assert sent >= len(fields)
    assert not failures, "\n".join(failures)


async def test_a_body_that_is_not_utf8_json_is_a_422_problem(client, alice, running_app):
    sent, failures = await probe_unreadable_bodies(
        client,
        running_app.openapi(),
        headers=alice.headers,
        engine=running_app.state.runtime.engine,
        schema="planner",
    )
    assert sent >= 3 * 7
    assert not failures, "\n".join(failures)
