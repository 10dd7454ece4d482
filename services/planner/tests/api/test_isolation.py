"""Isolation across the whole planner API (docs/reliability.md, item 31): Alice and Bob each own
three plans with sessions (one superseded by a reschedule), two subjects, two jobs, a feed and
busy times. Every route that takes an id, read from the OpenAPI document, answers Bob's request
on each of Alice's ids with the 404 an unknown id gets; no read of Bob's shows any of Alice's
rows; a `user_id` in a query changes no answer (it is ignored) and one in a body is refused
(422, nothing written); and Alice's data reads the same before and after."""

import re
import uuid

import pytest

from schediora_testkit.exposure import fill, get_paths, json_writes, read_every_get
from schediora_testkit.input_probes import minimal_instance, problem_failure, row_counts

from .owned import Owned, owned_data
from .test_subjects import assert_problem

# (method, path template) → a body that would be valid for the owner.
ID_ROUTES = {
    ("GET", "/api/v1/plans/{plan_id}"): None,
    ("GET", "/api/v1/ai/jobs/{job_id}"): None,
    ("GET", "/api/v1/ai/jobs/{job_id}/events"): None,
    ("PATCH", "/api/v1/sessions/{session_id}"): {"status": "completed"},
    ("PATCH", "/api/v1/subjects/{subject_id}"): {"name": "Taken over"},
    ("DELETE", "/api/v1/subjects/{subject_id}"): None,
}
RANDOM_IDS = 100
# Routes whose path holds a secret rather than an id (test_calendar_feed.py covers them).
SECRET_ROUTES = {("GET", "/api/v1/calendar/feed/{token}.ics")}
# Reads whose answer names nothing of its owner (the feed's metadata: a date, no URL).
NO_OWNER_MARKS = {"/api/v1/calendar/feed"}
# Query parameters some reads need to show everything.
QUERIES = {
    "/api/v1/sessions": {"week": "all"},
    "/api/v1/dashboard/summary": {"range": "30d"},
    "/api/v1/ai/plans/status/weekly": {"week_start": "2026-11-30"},
}


def _routes(app) -> set[tuple[str, str]]:
    """Every operation the app documents, as (method, path template)."""
    return {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }


def _names(template: str) -> list[str]:
    return re.findall(r"\{([^}]+)\}", template)


async def _everything_read_by(client, app, user, owned: Owned) -> dict[str, str]:
    """Every GET of the document as the owner: what their data looks like, answer by answer."""
    answers = await read_every_get(
        client, app.openapi(), headers=user.headers, path_values=owned.first(), queries=QUERIES
    )
    return {path: f"{answer.status_code} {answer.text}" for path, answer in answers.items()}


@pytest.fixture
async def owners(client, alice, bob, clock, running_app, settings) -> tuple[Owned, Owned]:
    mine = await owned_data(client, running_app, settings, alice, "Alice")
    theirs = await owned_data(client, running_app, settings, bob, "Bob")
    assert len(mine.ids["plan_id"]) == len(theirs.ids["plan_id"]) == 3
    return mine, theirs


def test_every_route_that_takes_an_id_is_in_the_matrix(running_app):
    with_ids = {(method, path) for method, path in _routes(running_app) if "{" in path}
    assert with_ids == set(ID_ROUTES) | SECRET_ROUTES


async def test_bob_gets_the_unknown_id_404_for_each_of_alices_ids_on_every_route(
    client, alice, bob, owners, running_app
):
    alices, _ = owners
    before = await _everything_read_by(client, running_app, alice, alices)
    sent = 0
    for method, template in sorted(ID_ROUTES):
        body = ID_ROUTES[(method, template)]
        (name,) = _names(template)
        unknown = await client.request(
            method, fill(template, {name: str(uuid.uuid4())}), json=body, headers=bob.headers
        )
        expected = assert_problem(unknown, 404, "not_found")
        for value in alices.ids[name]:
            answer = await client.request(
                method, fill(template, {name: value}), json=body, headers=bob.headers
            )
            sent += 1
            assert (answer.status_code, answer.json()) == (404, expected), (method, template)
    # 5 sessions (2 of them the superseded plan's), 3 plans, 2 subjects and 2 jobs (2 routes each).
    assert sent == 5 + 3 + 2 * 2 + 2 * 2
    assert await _everything_read_by(client, running_app, alice, alices) == before
    print(f"\nFIGURES planner BOLA: {sent} requests on Alice's ids, every one the unknown 404")


@pytest.mark.parametrize(("method", "template"), sorted(ID_ROUTES))
async def test_a_hundred_random_ids_are_each_the_same_404(client, alice, clock, method, template):
    body = ID_ROUTES[(method, template)]
    answers = [
        await client.request(
            method,
            fill(template, {name: str(uuid.uuid4()) for name in _names(template)}),
            json=body,
            headers=alice.headers,
        )
        for _ in range(RANDOM_IDS)
    ]
    details = {assert_problem(answer, 404, "not_found")["detail"] for answer in answers}
    assert len(details) == 1


async def test_no_read_shows_another_users_rows(client, alice, bob, owners, running_app):
    alices, bobs = owners
    reads = get_paths(running_app.openapi())
    assert len(reads) == 12, reads  # every GET but the health probes, id routes included
    as_bob = await read_every_get(
        client,
        running_app.openapi(),
        headers=bob.headers,
        path_values=bobs.first(),
        queries=QUERIES,
    )
    as_alice = await read_every_get(
        client,
        running_app.openapi(),
        headers=alice.headers,
        path_values=alices.first(),
        queries=QUERIES,
    )
    alice_marks = [*alices.all_ids(), str(alice.id), "Alice's", alices.feed_token]
    for path in reads:
        answer = as_bob[path]
        assert answer.status_code == 200, (path, answer.text)
        leaked = [mark for mark in alice_marks if mark in answer.text]
        assert leaked == [], path
        # The same read as Alice does show her rows: the check above can fail.
        if path in NO_OWNER_MARKS:
            continue
        assert any(mark in as_alice[path].text for mark in alice_marks), path


async def test_a_user_id_in_the_query_is_ignored(client, alice, bob, owners, running_app):
    """A read answers exactly as without the parameter: nothing in the API reads a user id from
    a client, so an unknown query parameter is ignored like any other."""
    alices, bobs = owners
    document = running_app.openapi()
    plain = await read_every_get(
        client, document, headers=bob.headers, path_values=bobs.first(), queries=QUERIES
    )
    forged = await read_every_get(
        client,
        document,
        headers=bob.headers,
        path_values=bobs.first(),
        queries=QUERIES,
        extra_query={"user_id": str(alice.id)},
    )
    assert set(forged) == set(get_paths(document))
    for path, answer in forged.items():
        assert (answer.status_code, answer.text) == (plain[path].status_code, plain[path].text)
        assert not any(value in answer.text for value in alices.all_ids()), path
    print(f"\nFIGURES planner user_id in the query: {len(forged)} reads, each as without it")


async def test_a_user_id_in_a_body_is_refused_and_writes_nothing(
    client, alice, bob, owners, running_app
):
    alices, bobs = owners
    document = running_app.openapi()
    engine = running_app.state.runtime.engine
    before_rows = await row_counts(engine, "planner")
    before = await _everything_read_by(client, running_app, alice, alices)
    failures, sent = [], 0
    for method, path, schema in json_writes(document):
        body = {**minimal_instance(document, schema), "user_id": str(alice.id)}
        answer = await client.request(
            method.upper(), fill(path, bobs.first()), json=body, headers=bob.headers
        )
        sent += 1
        if why := problem_failure(answer, ["body", "user_id"], None):
            failures.append(f"{method.upper()} {path}: {why}")
    assert failures == []
    assert sent >= 6
    assert await row_counts(engine, "planner") == before_rows
    assert await _everything_read_by(client, running_app, alice, alices) == before


async def test_the_owner_reaches_every_id_route(client, alice, owners):
    """The control of the matrix: Alice's own requests on her ids are answered, not 404."""
    alices, _ = owners
    # The DELETE last: the PATCH of the same subject comes before it.
    for (method, template), body in sorted(ID_ROUTES.items(), key=lambda r: r[0][0] == "DELETE"):
        answer = await client.request(
            method, fill(template, alices.first()), json=body, headers=alice.headers
        )
        assert answer.status_code in (200, 204), (method, template, answer.text)
