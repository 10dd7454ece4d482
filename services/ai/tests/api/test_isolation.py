"""Isolation across the ai API (docs/reliability.md, item 31): Alice and Bob each own three
generations, two with feedback. Every operation that takes an id (in the path, the query or the
body), found in the app's OpenAPI document, answers Bob's request on each of Alice's
generations as it answers an unknown id, and 100 random ids alike; Bob's feedback list shows
none of Alice's; a `user_id` in the query changes no answer and one in a body is refused with
nothing written; Alice's data reads the same afterwards."""

import uuid

import pytest

from schediora_testkit.exposure import fill, get_paths, json_writes, read_every_get
from schediora_testkit.input_probes import (
    _resolve,
    minimal_instance,
    operations,
    problem_failure,
    row_counts,
)

from .owned import Owned, owned_data
from .test_generations import FEEDBACK, GENERATIONS

RANDOM_IDS = 100
GENERATION = f"{GENERATIONS}/{{generation_id}}"
# (method, path template, where the id goes, its name): every id an operation takes.
ID_PARAMETERS = {
    ("GET", GENERATION, "path", "generation_id"),
    ("GET", FEEDBACK, "query", "generation_id"),
    ("POST", FEEDBACK, "body", "generation_id"),
}


def _id_parameters(document) -> set[tuple[str, str, str, str]]:
    """Every parameter or top-level body field of the document named `id` or `*_id`."""
    found = set()
    for method, path, operation in operations(document):
        for parameter in operation.get("parameters", []):
            parameter = _resolve(document, parameter)
            if parameter["name"] == "id" or parameter["name"].endswith("_id"):
                found.add((method.upper(), path, parameter["in"], parameter["name"]))
    for method, path, schema in json_writes(document):
        for name in _resolve(document, schema).get("properties", {}):
            if name == "id" or name.endswith("_id"):
                found.add((method.upper(), path, "body", name))
    return found


def _request(client, method: str, path: str, where: str, name: str, value: str, headers):
    if where == "path":
        return client.request(method, fill(path, {name: value}), headers=headers)
    if where == "query":
        return client.request(method, path, params={name: value}, headers=headers)
    return client.request(method, path, json={name: value, "rating": 4}, headers=headers)


async def _everything_read_by(client, app, user, owned: Owned) -> dict[str, str]:
    answers = await read_every_get(
        client, app.openapi(), headers=user.headers, path_values=owned.first()
    )
    return {path: f"{answer.status_code} {answer.text}" for path, answer in answers.items()}


@pytest.fixture
async def owners(client, alice, bob, running_app, settings) -> tuple[Owned, Owned]:
    mine = await owned_data(client, running_app, settings, alice, "Alice")
    theirs = await owned_data(client, running_app, settings, bob, "Bob")
    return mine, theirs


def test_every_operation_that_takes_an_id_is_in_the_matrix(running_app):
    assert _id_parameters(running_app.openapi()) == ID_PARAMETERS


async def test_bob_gets_the_unknown_id_answer_for_each_of_alices_generations(
    client, alice, bob, owners, running_app
):
    alices, _ = owners
    before = await _everything_read_by(client, running_app, alice, alices)
    sent = 0
    for method, path, where, name in sorted(ID_PARAMETERS):
        unknown = await _request(client, method, path, where, name, str(uuid.uuid4()), bob.headers)
        assert unknown.status_code in (200, 404), unknown.text
        for value in alices.ids["generation_id"]:
            answer = await _request(client, method, path, where, name, value, bob.headers)
            sent += 1
            assert (answer.status_code, answer.json()) == (unknown.status_code, unknown.json())
        if unknown.status_code == 404:
            assert unknown.json()["code"] == "not_found"
        else:  # a list filtered by an id that is not Bob's: empty
            assert unknown.json()["items"] == []
    assert sent == 3 * len(ID_PARAMETERS)
    assert await _everything_read_by(client, running_app, alice, alices) == before
    print(f"\nFIGURES ai BOLA: {sent} requests on Alice's generations, each as for an unknown id")


async def test_a_hundred_random_ids_are_each_the_same_404(client, alice, owners):
    ids = [str(uuid.uuid4()) for _ in range(RANDOM_IDS)]
    answers = [await client.get(f"{GENERATIONS}/{i}", headers=alice.headers) for i in ids]
    answers += [
        await client.post(FEEDBACK, json={"generation_id": i, "rating": 4}, headers=alice.headers)
        for i in ids
    ]
    assert {(a.status_code, a.json()["code"], a.json()["detail"]) for a in answers} == {
        (404, "not_found", answers[0].json()["detail"])
    }


async def test_no_read_shows_another_users_rows(client, alice, bob, owners, running_app):
    alices, bobs = owners
    document = running_app.openapi()
    assert get_paths(document) == [GENERATION, FEEDBACK]
    as_bob = await read_every_get(client, document, headers=bob.headers, path_values=bobs.first())
    as_alice = await read_every_get(
        client, document, headers=alice.headers, path_values=alices.first()
    )
    alice_marks = [*alices.all_ids(), str(alice.id), "Alice's"]
    for path, answer in as_bob.items():
        assert answer.status_code == 200, (path, answer.text)
        assert [mark for mark in alice_marks if mark in answer.text] == [], path
        assert any(mark in as_alice[path].text for mark in alice_marks), path


async def test_a_user_id_in_the_query_is_ignored(client, alice, bob, owners, running_app):
    alices, bobs = owners
    document = running_app.openapi()
    plain = await read_every_get(client, document, headers=bob.headers, path_values=bobs.first())
    forged = await read_every_get(
        client,
        document,
        headers=bob.headers,
        path_values=bobs.first(),
        extra_query={"user_id": str(alice.id)},
    )
    for path, answer in forged.items():
        assert (answer.status_code, answer.text) == (plain[path].status_code, plain[path].text)
        assert not any(value in answer.text for value in alices.all_ids()), path


async def test_a_user_id_in_a_body_is_refused_and_writes_nothing(
    client, alice, bob, owners, running_app
):
    alices, bobs = owners
    document = running_app.openapi()
    engine = running_app.state.runtime.engine
    before_rows = await row_counts(engine, "ai")
    before = await _everything_read_by(client, running_app, alice, alices)
    writes = list(json_writes(document))
    assert [(method, path) for method, path, _ in writes] == [("post", FEEDBACK)]
    for method, path, schema in writes:
        # Bob's own generation without feedback yet: only the user_id stands in the way.
        body = minimal_instance(document, schema) | {
            "generation_id": bobs.ids["generation_id"][2],
            "user_id": str(alice.id),
        }
        answer = await client.request(method.upper(), path, json=body, headers=bob.headers)
        assert problem_failure(answer, ["body", "user_id"], None) is None, answer.text
    assert await row_counts(engine, "ai") == before_rows
    assert await _everything_read_by(client, running_app, alice, alices) == before
