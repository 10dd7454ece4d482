"""Mass assignment (docs/reliability.md, item 32): every JSON body auth takes (registration
included), with each field a client must never set (`id`, `user_id`, `owner_id`, `status`,
`created_at`, `role`, `is_admin`) added, is a 422 naming that field, and nothing is written."""

from schediora_testkit.input_probes import FORBIDDEN_FIELDS, probe_forbidden_fields

from ..factories import register


async def test_every_write_refuses_every_field_a_client_must_never_set(app, client):
    account = await register(client)
    document = app.openapi()
    bodies = [
        (method, path)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    ]
    sent, failures, declared = await probe_forbidden_fields(
        client,
        document,
        headers=account.bearer,
        engine=app.state.runtime.engine,
        schema="auth",
    )
    assert not failures, "\n".join(failures)
    assert declared == []
    assert sent == len(bodies) * len(FORBIDDEN_FIELDS)
    print(f"\nFIGURES auth mass assignment: {len(bodies)} JSON bodies, {sent} writes refused")
