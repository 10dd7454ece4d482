"""Mass assignment (docs/reliability.md, item 32): every JSON body the ai takes, with each field
a client must never set added, is a 422 naming that field, and nothing is written."""

from schediora_testkit.input_probes import FORBIDDEN_FIELDS, probe_forbidden_fields


async def test_every_write_refuses_every_field_a_client_must_never_set(client, alice, running_app):
    sent, failures, declared = await probe_forbidden_fields(
        client,
        running_app.openapi(),
        headers=alice.headers,
        engine=running_app.state.runtime.engine,
        schema="ai",
    )
    assert not failures, "\n".join(failures)
    assert declared == []
    assert sent == len(FORBIDDEN_FIELDS)  # POST /feedback
    print(f"\nFIGURES ai mass assignment: {sent} writes refused")
