"""The job's deadline, as PlanRequested carries it: a request past it gets no plan and no LLM
call (a backlog or a replay from the dead letters), and the LLM's time never runs past it (the
local solver plans when too little is left). Real PostgreSQL, the fake OpenAI-compatible
server."""

import uuid
from datetime import UTC, datetime, timedelta

from ai.generations import service
from ai.providers.llm import LOCAL_PLAN_SECONDS
from ai.providers.registry import provider_from
from ai.scheduling.solver import solve
from schediora_testkit.fake_llm import answer

from ..api.requests import plan_request
from .conftest import MAX_ATTEMPTS, TIMEOUT_SECONDS, openai_settings
from .plans import calendar, events, new_delivery, stored


def provider(llm):
    return provider_from(openai_settings(llm.base_url))


async def test_a_request_past_its_deadline_fails_with_generation_timeout_and_asks_nothing(
    llm, sessionmaker
):
    request = plan_request(uuid.uuid4(), deadline_at=datetime.now(UTC) - timedelta(seconds=1))
    script = llm.reply(answer(calendar(solve(request).sessions)))

    await service.generate(sessionmaker, request, provider(llm), new_delivery(), token_budget=10**6)

    assert script.calls == 0
    generation = await stored(sessionmaker, request.job_id)
    assert (generation.status, generation.error_code, generation.sessions) == (
        "failed",
        "generation_timeout",
        [],
    )
    published = [kind for kind, _ in await events(sessionmaker, request.job_id)]
    assert published == ["ai.plan_generation_started", "ai.plan_generation_failed"]
    (_, failed) = (await events(sessionmaker, request.job_id))[-1]
    assert failed["code"] == "generation_timeout"


async def test_too_little_time_before_the_deadline_gets_the_local_plan_without_a_call(
    llm, sessionmaker
):
    request = plan_request(
        uuid.uuid4(), deadline_at=datetime.now(UTC) + timedelta(seconds=LOCAL_PLAN_SECONDS)
    )
    script = llm.reply(answer(calendar(solve(request).sessions)))

    await service.generate(sessionmaker, request, provider(llm), new_delivery())

    assert script.calls == 0
    generation = await stored(sessionmaker, request.job_id)
    assert generation.status == "completed"
    provenance = generation.provenance
    assert (provenance["path"], provenance["fallback_reason"]) == ("local_fallback", "deadline")
    assert generation.sessions == [s.model_dump(mode="json") for s in solve(request).sessions]


def test_the_llm_budget_ends_before_the_deadline(llm):
    llm_provider = provider(llm)
    now = datetime(2030, 1, 6, 12, tzinfo=UTC)
    whole = TIMEOUT_SECONDS * MAX_ATTEMPTS
    far = plan_request(uuid.uuid4(), deadline_at=now + timedelta(hours=1))
    near = plan_request(uuid.uuid4(), deadline_at=now + timedelta(seconds=LOCAL_PLAN_SECONDS + 1))
    unbounded = plan_request(uuid.uuid4())

    assert llm_provider.budget_for(far, now) == whole
    assert llm_provider.budget_for(near, now) == min(whole, 1.0)
    assert llm_provider.budget_for(unbounded, now) == whole
