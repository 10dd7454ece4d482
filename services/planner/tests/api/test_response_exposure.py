"""No answer of the planner carries a feed token's hash or anything of another user's
(docs/reliability.md, item 32). Alice and Bob each own three plans with sessions, subjects, jobs,
a feed and busy times (`owned.py`); every answer Bob gets (his writes while his data is made and
changed, and every GET of the OpenAPI document with his own ids) is searched for Alice's user id,
the id of every row she owns, her rows' names, her feed token, every feed token hash the
database holds (his own included) and any field named like a hash, password or secret."""

from sqlalchemy import text

from schediora_testkit.exposure import (
    assert_nothing_exposed,
    exposures,
    fill,
    forbidden_spellings,
    read_every_get,
    recording,
)

from .owned import FEED, owned_data
from .plan_factories import CURRENT_SESSIONS, slot
from .test_isolation import ID_ROUTES, QUERIES


async def _feed_token_hashes(app) -> dict[str, bytes]:
    async with app.state.runtime.sessionmaker() as session:
        rows = await session.execute(text("SELECT user_id::text, token_hash FROM calendar_feeds"))
        return {f"feed token hash {value.hex()[:8]} of {user}": value for user, value in rows}


async def test_no_answer_bob_gets_carries_a_hash_or_anything_of_alices(
    client, alice, bob, clock, running_app, settings
):
    alices = await owned_data(client, running_app, settings, alice, "Alice")
    hashes = await _feed_token_hashes(running_app)
    with recording(client) as bobs:
        mine = await owned_data(client, running_app, settings, bob, "Bob")
        hashes |= await _feed_token_hashes(running_app)
        added = await client.post(
            CURRENT_SESSIONS, json=slot(28, 19, title="Bob's extra"), headers=bob.headers
        )
        assert added.status_code == 201, added.text
        writes = sorted(ID_ROUTES.items(), key=lambda route: route[0][0] == "DELETE")
        for (method, template), body in writes:
            if method != "GET":  # his changes, the DELETE last; every GET comes below
                answer = await client.request(
                    method, fill(template, mine.first()), json=body, headers=bob.headers
                )
                assert answer.status_code in (200, 204), answer.text
        rotated = await client.post(FEED, headers=bob.headers)
        assert rotated.status_code == 201, rotated.text
        mine.feed_token = rotated.json()["url"].rsplit("/", 1)[1].removesuffix(".ics")
        # His first subject is gone (the DELETE above): read with his second.
        mine.ids["subject_id"].pop(0)
        reads = await read_every_get(
            client,
            running_app.openapi(),
            headers=bob.headers,
            path_values=mine.first(),
            queries=QUERIES,
        )
        assert {answer.status_code for answer in reads.values()} == {200}, reads
    hashes |= await _feed_token_hashes(running_app)
    assert (
        len([label for label in hashes if str(bob.id) in label]) == 2
    )  # before and after rotation
    forbidden = {
        "Alice's user id": str(alice.id),
        "Alice's rows' names": "Alice's",
        "Alice's feed token": alices.feed_token,
        **{
            f"Alice's {kind} {value}": value
            for kind, values in alices.ids.items()
            for value in values
        },
        **hashes,
    }
    # The check can fail: the same reads as Alice are found to carry her rows.
    as_alice = await read_every_get(
        client,
        running_app.openapi(),
        headers=alice.headers,
        path_values=alices.first(),
        queries=QUERIES,
    )
    spelled = forbidden_spellings(forbidden)
    assert sum(bool(exposures(answer, spelled)) for answer in as_alice.values()) >= 10
    swept = assert_nothing_exposed(bobs.answers, forbidden)
    print(
        f"\nFIGURES planner exposure: {swept} answers to Bob ({len(reads)} GET routes),"
        f" {len(forbidden)} forbidden values ({len(hashes)} feed token hashes): none found"
    )
