"""Input PostgreSQL cannot store, or bodies ai cannot read: `422 validation_error` naming the
field, never a 500, and nothing written (DEVELOPERS.md: HTTP conventions)."""

from schediora_testkit.input_probes import probe_text_fields, probe_unreadable_bodies, text_fields


async def test_every_text_field_refuses_nul_and_lone_surrogates(client, alice, running_app):
    document = running_app.openapi()
    fields = {str(field) for field in text_fields(document)}
    assert "POST /api/v1/feedback body.comments" in fields
    assert "GET /api/v1/feedback query.cursor" in fields
    sent, failures = await probe_text_fields(
        client,
        document,
        headers=alice.headers,
        engine=running_app.state.runtime.engine,
        schema="ai",
    )
    assert sent >= len(fields)
    assert not failures, "\n".join(failures)


async def test_a_body_that_is_not_utf8_json_is_a_422_problem(client, alice, running_app):
    sent, failures = await probe_unreadable_bodies(
        client,
        running_app.openapi(),
        headers=alice.headers,
        engine=running_app.state.runtime.engine,
        schema="ai",
    )
    assert sent >= 3
    assert not failures, "\n".join(failures)
