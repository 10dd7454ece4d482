"""Isolation across the ai API (docs/reliability.md, item 31): every route that takes an id,
found in the app's OpenAPI document, answers 404 for another user's id exactly as for an unknown
one and for 100 random ids; an id in the body or query (feedback) is checked the same way."""

import uuid

import pytest

from schediora_testkit.forgery import operations

from .requests import plan_request
from .test_generations import FEEDBACK, GENERATIONS, outcome, send

RANDOM_IDS = 100
# (method, path template) → how the route takes the id (path: in the template).
ID_ROUTES = {("GET", "/api/v1/ai/generations/{generation_id}")}


@pytest.fixture
async def alices_generation(running_app, settings, alice) -> str:
    request = plan_request(alice.id)
    await send(settings, request)
    await outcome(running_app, request.job_id)
    return str(request.job_id)


def test_every_route_that_takes_an_id_is_in_the_matrix(running_app):
    with_ids = {operation for operation in operations(running_app.openapi()) if "{" in operation[1]}
    assert with_ids == ID_ROUTES


async def test_another_users_or_a_random_id_is_the_same_404(client, alice, bob, alices_generation):
    mine = await client.get(f"{GENERATIONS}/{alices_generation}", headers=alice.headers)
    assert mine.status_code == 200
    ids = [alices_generation] + [str(uuid.uuid4()) for _ in range(RANDOM_IDS)]
    answers = [await client.get(f"{GENERATIONS}/{i}", headers=bob.headers) for i in ids]
    assert {a.status_code for a in answers} == {404}
    assert {(a.json()["code"], a.json()["detail"]) for a in answers} == {
        (answers[0].json()["code"], answers[0].json()["detail"])
    }
    assert answers[0].json()["code"] == "not_found"
    # An id in the body or the query: feedback on Alice's generation, her feedback listed.
    body = {"generation_id": alices_generation, "rating": 4}
    assert (await client.post(FEEDBACK, json=body, headers=bob.headers)).status_code == 404
    listed = await client.get(
        FEEDBACK, params={"generation_id": alices_generation}, headers=bob.headers
    )
    assert alices_generation not in listed.text
    # Alice's own generation is untouched and still hers alone.
    assert (await client.post(FEEDBACK, json=body, headers=alice.headers)).status_code == 201
