"""Mass assignment (docs/reliability.md, item 32): every JSON body auth takes (registration
included), with each field a client must never set (`id`, `user_id`, `owner_id`, `status`,
`created_at`, `role`, `is_admin`) added, is a 422 naming that field, and nothing is written."""

from schediora_testkit.input_probes import assert_refuses_forbidden_fields

from ..factories import register


async def test_every_write_refuses_every_field_a_client_must_never_set(app, client):
    account = await register(client)
    bodies, sent = await assert_refuses_forbidden_fields(
        client, app, headers=account.bearer, schema="auth", declared=[]
    )
    print(f"\nFIGURES auth mass assignment: {bodies} JSON bodies, {sent} writes refused")
