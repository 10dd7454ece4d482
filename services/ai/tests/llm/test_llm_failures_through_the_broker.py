"""Transient versus permanent LLM failure, through the running ai service
(PlanRequested on the broker, the consumer's one transaction, the outbox), with the `openai`
provider on the fake server. A transient failure is absorbed by the bounded attempts; a lasting
one (an outage) degrades to the local solver's plan: the job completes, nothing is dead-lettered."""

import uuid

import httpx
import pytest

from ai.scheduling.solver import solve
from ai.scheduling.validator import validate
from schediora_contracts import PlanGenerated
from schediora_runtime.messaging.codec import wrap
from schediora_testkit import testing
from schediora_testkit.fake_llm import answer, failure, stall

from ..api.requests import plan_request, published
from .conftest import MAX_ATTEMPTS, MODEL, TIMEOUT_SECONDS
from .plans import calendar


@pytest.fixture
async def client(running_app):
    transport = httpx.ASGITransport(app=running_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def generated(running_app, settings, request) -> PlanGenerated:
    """Send the request, wait for its outcome: exactly Started then one PlanGenerated."""
    envelope = wrap(request, producer="planner")
    await testing.publish(settings.rabbitmq_url, settings.events_exchange, envelope)

    async def outcome():
        events = await published(running_app, request.job_id)
        return events if len(events) >= 2 else None

    events = await testing.eventually(outcome, timeout=30)
    assert [kind for kind, _ in events] == ["ai.plan_generation_started", "ai.plan_generated"]
    plan = PlanGenerated.model_validate(events[1][1])
    assert validate(request, plan.sessions) == []
    return plan


async def shown(client, signing_key, request) -> dict:
    token = signing_key.access_token(request.user_id)
    response = await client.get(
        f"/api/v1/ai/generations/{request.job_id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_an_llm_that_times_out_twice_then_answers_gives_one_plan_after_three_calls(
    running_app, settings, llm, client, signing_key
):
    request = plan_request(uuid.uuid4())
    good = calendar(solve(request).sessions)
    script = llm.reply(stall(4 * TIMEOUT_SECONDS), stall(4 * TIMEOUT_SECONDS), answer(good))

    plan = await generated(running_app, settings, request)

    assert script.calls == 3
    assert [s.title for s in plan.sessions] == [item["title"] for item in good]
    assert (plan.provider, plan.model) == ("openai", MODEL)
    generation = await shown(client, signing_key, request)
    assert (generation["status"], generation["provider"], generation["model"]) == (
        "completed",
        "openai",
        MODEL,
    )
    provenance = generation["provenance"]
    assert (provenance["path"], provenance["attempts"]) == ("llm", 3)
    assert [call["outcome"] for call in provenance["calls"]] == ["timeout", "timeout", "valid"]
    assert generation["quality"]["planned_minutes"] > 0
    assert generation["feedback"] is None


async def test_an_llm_outage_degrades_to_the_local_plan_after_the_bounded_attempts(
    running_app, settings, llm, client, signing_key
):
    request = plan_request(uuid.uuid4())
    script = llm.reply(failure(500))

    plan = await generated(running_app, settings, request)

    assert script.calls == MAX_ATTEMPTS
    assert plan.sessions == solve(request).sessions
    generation = await shown(client, signing_key, request)
    assert generation["status"] == "completed"
    provenance = generation["provenance"]
    assert (provenance["path"], provenance["fallback_reason"], provenance["attempts"]) == (
        "local_fallback",
        "server_error",
        MAX_ATTEMPTS,
    )
    assert "HTTP 500" in provenance["fallback_detail"]
    # The local solver's own report: its named objective terms.
    assert generation["quality"]["terms"]
    assert generation["quality"]["provider"] == "local"
