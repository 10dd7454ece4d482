"""A client can follow a generation: with an LLM that answers slowly (the fake OpenAI-compatible
server of the testkit, answering after a delay), a student polling `GET /ai/jobs/{id}` through
the gateway sees `queued`, then `running` while the plan is being made, then `completed`, with
`started_at` ≤ `finished_at`; a student following `GET /ai/jobs/{id}/events` (Server-Sent
Events) through the gateway gets the same three states pushed, and the stream ends. The four
services run as processes on the real PostgreSQL and RabbitMQ."""

import asyncio
import json
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from schediora_testkit import fake_llm

from .isolated import isolated_stack
from .students import Student, preferences

pytestmark = pytest.mark.e2e

SLOW_SECONDS = 4.0
"""How long the LLM takes to answer; the client polls far more often than that."""


@pytest.fixture(scope="module")
def slow(llm):
    """A script that answers every call after `SLOW_SECONDS` with a server error: the one
    attempt allowed fails slowly, and the local solver's plan completes the job."""
    base_url, script = llm.script(fake_llm.stall(SLOW_SECONDS, fake_llm.failure(500)))
    return base_url, script


@pytest.fixture(scope="module")
def stack(tmp_path_factory, slow):
    base_url, _ = slow
    env = {
        "PASSWORD_TIME_COST": "1",
        "PASSWORD_MEMORY_KIB": "8",
        "AI_PROVIDER": "openai",
        "OPENAI_BASE_URL": base_url,
        "OPENAI_MODEL": "fake-model",
        "OPENAI_TIMEOUT_SECONDS": str(SLOW_SECONDS * 5),
        "OPENAI_MAX_ATTEMPTS": "1",
        # One generation at a time: a second student's job stays queued while the first runs.
        "AI_MAX_CONCURRENT_GENERATIONS": "1",
    }
    logs = tmp_path_factory.mktemp("running-logs")
    with isolated_stack(logs, "generation_running", env, start_timeout=180) as stack:
        yield stack


def _next_week() -> date:
    today = datetime.now(UTC).date()
    return today - timedelta(days=today.weekday()) + timedelta(days=7)


async def test_a_polling_client_sees_queued_then_running_then_completed(stack, slow):
    _, script = slow
    async with httpx.AsyncClient(base_url=f"{stack.gateway}/api/v1", timeout=30) as api:
        student = await Student.register(api, "running")
        await student.set_preferences(preferences())
        await student.add_subject("Calculus", exam_date=str(_next_week() + timedelta(days=3)))

        job = await student.generate_once_onboarded(_next_week(), timeout=120)
        seen = [job["status"]]
        while seen[-1] not in ("completed", "failed"):
            answer = await student.call("GET", f"/ai/jobs/{job['id']}")
            assert answer.status_code == 200, answer.text
            job = answer.json()
            if job["status"] != seen[-1]:
                seen.append(job["status"])
            await asyncio.sleep(0.1)

    assert seen == ["queued", "running", "completed"]
    assert script.calls == 1
    started = datetime.fromisoformat(job["started_at"])
    finished = datetime.fromisoformat(job["finished_at"])
    assert datetime.fromisoformat(job["created_at"]) <= started <= finished


async def test_an_event_stream_client_sees_queued_then_running_then_completed(stack):
    async with httpx.AsyncClient(base_url=f"{stack.gateway}/api/v1", timeout=60) as api:
        first = await Student.register(api, "sse-first")
        second = await Student.register(api, "sse-second")
        for student in (first, second):
            await student.set_preferences(preferences())
            await student.add_subject("Calculus", exam_date=str(_next_week() + timedelta(days=3)))
        # The first student's generation holds the ai's one slot for SLOW_SECONDS ...
        holding = await first.generate_once_onboarded(_next_week(), timeout=120)
        while (await first.job(holding["id"]))["status"] == "queued":
            await asyncio.sleep(0.05)
        # ... so the second's is queued when its stream opens, and runs after.
        job = await second.generate_once_onboarded(_next_week(), timeout=120)
        messages = []
        async with api.stream(
            "GET",
            f"/ai/jobs/{job['id']}/events",
            headers=second.headers | {"Accept": "text/event-stream"},
        ) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            event = None
            async for line in response.aiter_lines():  # ends when the server ends the stream
                if line.startswith("event: "):
                    event = line.removeprefix("event: ")
                elif line.startswith("data: "):
                    messages.append((event, json.loads(line.removeprefix("data: "))))
        polled = await second.job(job["id"])

    assert [message["status"] for _, message in messages] == ["queued", "running", "completed"]
    assert {event for event, _ in messages} == {"job"}
    assert messages[-1][1] == polled  # the last message is the Job as GET shows it
