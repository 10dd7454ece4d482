"""The plan-request limit configured as the reliability catalogue states it (item 33): with
GENERATION_REQUESTS_PER_WINDOW=5 and GENERATION_REQUEST_WINDOW_SECONDS=60, the 6th plan request
within a minute is `429 too_many_requests` with Retry-After, and writes no PlanRequested to the
outbox (no message will reach the ai); a minute after the first, requests pass again."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from planner.db import outbox
from schediora_contracts import PlanRequested

from . import test_jobs
from .job_factories import GENERATE
from .plan_factories import NOW
from .test_request_quota import fail
from .test_subjects import assert_problem

PER_MINUTE = 5

ready = test_jobs.ready  # the fixture: Alice has availability and two subjects


@pytest.fixture
def settings(settings):
    return settings.model_copy(
        update={
            "generation_requests_per_window": PER_MINUTE,
            "generation_request_window_seconds": 60,
        }
    )


async def _plan_requests_of(app, user) -> int:
    async with app.state.runtime.sessionmaker() as session:
        envelopes = await session.scalars(
            select(outbox.c.envelope).where(outbox.c.event_type == PlanRequested.event_type)
        )
        return sum(envelope["payload"]["user_id"] == str(user.id) for envelope in envelopes)


async def test_the_sixth_plan_request_in_a_minute_is_a_429_and_publishes_nothing(
    client, alice, ready, running_app, settings, clock
):
    for second in range(0, 50, 10):  # five requests, 10 s apart, each job failed before the next
        clock.now = NOW + timedelta(seconds=second)
        job = await client.post(GENERATE, json={}, headers=alice.headers)
        assert job.status_code == 202, job.text
        await fail(client, alice, running_app, settings, job.json())
    assert await _plan_requests_of(running_app, alice) == PER_MINUTE

    clock.now = NOW + timedelta(seconds=50)
    refused = await client.post(GENERATE, json={}, headers=alice.headers)
    assert_problem(refused, 429, "too_many_requests")
    # The first request (at NOW) leaves the window at NOW + 60 s: 10 s from now.
    assert refused.headers["retry-after"] == "10"
    assert await _plan_requests_of(running_app, alice) == PER_MINUTE

    clock.now = NOW + timedelta(seconds=61)
    again = await client.post(GENERATE, json={}, headers=alice.headers)
    assert again.status_code == 202, again.text
    assert await _plan_requests_of(running_app, alice) == PER_MINUTE + 1
