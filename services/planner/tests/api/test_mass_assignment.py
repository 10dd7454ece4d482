"""Mass assignment (docs/reliability.md, item 32): every JSON body the planner takes, with each
field a client must never set (`id`, `user_id`, `owner_id`, `status`, `created_at`, `role`,
`is_admin`) added, is a 422 naming that field, and nothing is written."""

from schediora_testkit.input_probes import FORBIDDEN_FIELDS, probe_forbidden_fields


async def test_every_write_refuses_every_field_a_client_must_never_set(client, alice, running_app):
    document = running_app.openapi()
    bodies = [
        (method, path)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    ]
    sent, failures, declared = await probe_forbidden_fields(
        client,
        document,
        headers=alice.headers,
        engine=running_app.state.runtime.engine,
        schema="planner",
    )
    assert not failures, "\n".join(failures)
    # The one the student may set: a session's status (planned → completed...).
    assert declared == ["PATCH /api/v1/sessions/{session_id} status"]
    assert sent + len(declared) == len(bodies) * len(FORBIDDEN_FIELDS)
    print(
        f"\nFIGURES planner mass assignment: {len(bodies)} JSON bodies, {sent} writes refused, "
        f"declared: {declared}"
    )
