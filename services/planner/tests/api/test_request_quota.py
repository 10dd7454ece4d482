"""The per-user limit on plan requests (docs/api.md: AI planning): past
GENERATION_REQUESTS_PER_WINDOW jobs in the window, generate and reschedule answer
`429 too_many_requests` with Retry-After until the oldest job leaves the window; the count lives
in PostgreSQL, so a second replica refuses alike; a retry with a known Idempotency-Key still
gets its job."""

from datetime import timedelta

import httpx
import pytest

from planner.main import create_app
from schediora_runtime.deps import request_now
from schediora_testkit import testing
from schediora_testkit.tokens import static_verifier

from . import test_jobs
from .job_factories import GENERATE, RESCHEDULE, answer, failed, requests_in_outbox
from .plan_factories import NOW
from .test_jobs import ask, wait_for
from .test_subjects import assert_problem

LIMIT = 2
WINDOW = timedelta(hours=1)

ready = test_jobs.ready  # the fixture: Alice has availability and two subjects


@pytest.fixture
def settings(settings):
    return settings.model_copy(
        update={
            "generation_requests_per_window": LIMIT,
            "generation_request_window_seconds": WINDOW.total_seconds(),
        }
    )


async def fail(client, user, running_app, settings, job) -> None:
    (request,) = await requests_in_outbox(running_app, job["id"])
    await answer(running_app, settings, failed(request))
    await wait_for(client, user, job["id"], "failed")


async def test_past_the_limit_plan_requests_are_429_until_the_window_moves_on(
    client,
    alice,
    bob,
    ready,
    running_app,
    settings,
    clock,
):
    await fail(client, alice, running_app, settings, await ask(client, alice))
    clock.now = NOW + timedelta(minutes=10)
    keyed = {**alice.headers, "Idempotency-Key": "second"}
    second = await client.post(GENERATE, json={}, headers=keyed)
    assert second.status_code == 202
    await fail(client, alice, running_app, settings, second.json())

    refused = await client.post(GENERATE, json={}, headers=alice.headers)
    body = assert_problem(refused, 429, "too_many_requests")
    assert body["status"] == 429
    # The oldest job (at NOW) leaves the window at NOW + 1 h: 50 minutes from now.
    assert refused.headers["retry-after"] == str(50 * 60)
    assert_problem(
        await client.post(RESCHEDULE, json={}, headers=alice.headers), 429, "too_many_requests"
    )
    # A retry of a request that did make a job is answered with it, uncounted.
    again = await client.post(GENERATE, json={}, headers=keyed)
    assert (again.status_code, again.json()["id"]) == (202, second.json()["id"])
    # Bob's requests are his own.
    assert (await client.post(GENERATE, json={}, headers=bob.headers)).status_code != 429

    clock.now = NOW + WINDOW - timedelta(seconds=1)
    late = await client.post(GENERATE, json={}, headers=alice.headers)
    assert late.headers["retry-after"] == "1"
    clock.now = NOW + WINDOW + timedelta(seconds=1)
    assert (await client.post(GENERATE, json={}, headers=alice.headers)).status_code == 202


async def test_a_second_replica_counts_the_same_jobs(
    client,
    alice,
    ready,
    running_app,
    settings,
    signing_key,
):
    await fail(client, alice, running_app, settings, await ask(client, alice))
    await fail(client, alice, running_app, settings, await ask(client, alice))
    other_settings = settings.model_copy(
        update={
            "events_exchange": testing.unique_name("exchange"),
            "queue_name": testing.unique_name("planner"),
        }
    )
    replica = create_app(other_settings, token_verifier=static_verifier(signing_key))
    replica.dependency_overrides[request_now] = lambda: NOW
    async with testing.consuming(replica, other_settings):
        transport = httpx.ASGITransport(app=replica, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://replica") as other:
            refused = await other.post(GENERATE, json={}, headers=alice.headers)
    assert_problem(refused, 429, "too_many_requests")
    assert int(refused.headers["retry-after"]) == int(WINDOW.total_seconds())
