"""Input PostgreSQL cannot store, or bodies auth cannot read: `422 validation_error` naming the
field, never a 500, and nothing written (DEVELOPERS.md: HTTP conventions)."""

from schediora_testkit.input_probes import assert_refuses_hostile_input

from ..factories import register


async def test_text_the_database_cannot_store_and_unreadable_bodies_are_refused(client, app):
    account = await register(client)
    await assert_refuses_hostile_input(
        client,
        app,
        headers=account.bearer,
        schema="auth",
        reaches={
            "POST /api/v1/auth/register body.display_name",
            "PUT /api/v1/users/preferences body.availability.0.start",
        },
    )
