"""Mass assignment (docs/reliability.md, item 32): every JSON body the planner takes, with each
field a client must never set (`id`, `user_id`, `owner_id`, `status`, `created_at`, `role`,
`is_admin`) added, is a 422 naming that field, and nothing is written."""

from schediora_testkit.input_probes import assert_refuses_forbidden_fields


async def test_every_write_refuses_every_field_a_client_must_never_set(client, alice, running_app):
    bodies, sent = await assert_refuses_forbidden_fields(
        client,
        running_app,
        headers=alice.headers,
        schema="planner",
        # The one the student may set: a session's status (planned → completed...).
        declared=["PATCH /api/v1/sessions/{session_id} status"],
    )
    print(f"\nFIGURES planner mass assignment: {bodies} JSON bodies, {sent} writes refused")
