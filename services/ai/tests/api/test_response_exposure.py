"""No answer of the ai carries anything of another user's (docs/reliability.md, item 32): Alice
and Bob each have three generations, two with feedback (`owned.py`); every answer Bob gets (his
feedback and every GET of the OpenAPI document with his own ids, the feedback list unfiltered
and filtered) is searched for Alice's user id, her generation and feedback ids, her comments, and
any field named like a hash, password or secret. The ai stores no hash or secret of a user; the
LLM key is a setting and never in a row."""

from schediora_testkit.exposure import (
    assert_nothing_exposed,
    exposures,
    forbidden_spellings,
    read_every_get,
    recording,
)

from .owned import owned_data
from .test_generations import FEEDBACK


async def test_no_answer_bob_gets_carries_anything_of_alices(
    client, alice, bob, running_app, settings
):
    alices = await owned_data(client, running_app, settings, alice, "Alice")
    document = running_app.openapi()
    with recording(client) as bobs:
        mine = await owned_data(client, running_app, settings, bob, "Bob")
        for generation_id in mine.ids["generation_id"]:
            await read_every_get(
                client,
                document,
                headers=bob.headers,
                path_values={"generation_id": generation_id},
                queries={FEEDBACK: {"generation_id": generation_id}},
            )
        await read_every_get(client, document, headers=bob.headers, path_values=mine.first())
    assert {answer.status_code for answer in bobs.answers.values()} == {200, 201}
    forbidden = {
        "Alice's user id": str(alice.id),
        "Alice's comments": "Alice's",
        **{
            f"Alice's {kind} {value}": value
            for kind, values in alices.ids.items()
            for value in values
        },
    }
    # The check can fail: the same reads as Alice are found to carry her data.
    as_alice = await read_every_get(
        client, document, headers=alice.headers, path_values=alices.first()
    )
    spelled = forbidden_spellings(forbidden)
    assert all(exposures(answer, spelled) for answer in as_alice.values())
    swept = assert_nothing_exposed(bobs.answers, forbidden)
    print(f"\nFIGURES ai exposure: {swept} answers to Bob, {len(forbidden)} forbidden values")
