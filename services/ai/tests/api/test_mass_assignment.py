"""Mass assignment (docs/reliability.md, item 32): every JSON body the ai takes, with each field
a client must never set added, is a 422 naming that field, and nothing is written."""

from schediora_testkit.input_probes import assert_refuses_forbidden_fields


async def test_every_write_refuses_every_field_a_client_must_never_set(client, alice, running_app):
    bodies, sent = await assert_refuses_forbidden_fields(
        client, running_app, headers=alice.headers, schema="ai", declared=[]
    )
    print(f"\nFIGURES ai mass assignment: {bodies} JSON bodies, {sent} writes refused")
