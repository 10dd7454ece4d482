"""Input PostgreSQL cannot store, or bodies auth cannot read: `422 validation_error` naming the
field, never a 500, and nothing written (DEVELOPERS.md: HTTP conventions)."""

from schediora_testkit.input_probes import probe_text_fields, probe_unreadable_bodies, text_fields

from ..factories import register


async def test_every_text_field_refuses_nul_and_lone_surrogates(client, app):
    account = await register(client)
    document = app.openapi()
    fields = {str(field) for field in text_fields(document)}
    assert "POST /api/v1/auth/register body.display_name" in fields
    assert "PUT /api/v1/users/preferences body.availability.0.start" in fields
    sent, failures = await probe_text_fields(
        client,
        document,
        headers=account.bearer,
        engine=app.state.runtime.engine,
        schema="auth",
    )
    assert sent >= len(fields)
    assert not failures, "\n".join(failures)


async def test_a_body_that_is_not_utf8_json_is_a_422_problem(client, app):
    account = await register(client)
    sent, failures = await probe_unreadable_bodies(
        client,
        app.openapi(),
        headers=account.bearer,
        engine=app.state.runtime.engine,
        schema="auth",
    )
    assert sent >= 3 * 5
    assert not failures, "\n".join(failures)
