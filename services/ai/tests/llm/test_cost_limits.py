"""Cost and abuse limits on the LLM path, against the fake OpenAI-compatible server: every call
carries `max_tokens`; a 429 with Retry-After is waited out and then answered; a Retry-After past
the generation's budget ends in the local plan at once; a user past the daily token budget gets
the local plan without a call (`budget_exhausted`); and the generation, fallback, token and
latency metrics move by what each generation did."""

import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from ai.generations import service
from ai.providers.registry import provider_from
from ai.scheduling.solver import solve
from ai.usage.models import TokenUsage
from schediora_testkit.fake_llm import answer, failure
from schediora_testkit.metrics import Deltas

from ..api.requests import plan_request
from .conftest import MAX_ATTEMPTS, TIMEOUT_SECONDS, openai_settings
from .plans import calendar, new_delivery, stored

MAX_TOKENS = 3000


def provider(llm, **overrides):
    return provider_from(openai_settings(llm.base_url, openai_max_tokens=MAX_TOKENS, **overrides))


async def generate(sessionmaker, request, llm_provider, budget: int | None = None) -> None:
    await service.generate(sessionmaker, request, llm_provider, new_delivery(), token_budget=budget)


async def spent_today(sessionmaker, user_id) -> int:
    async with sessionmaker() as session:
        found = await session.scalar(
            select(TokenUsage.tokens).where(
                TokenUsage.user_id == user_id, TokenUsage.day == datetime.now(UTC).date()
            )
        )
    return found or 0


async def test_a_429_with_retry_after_is_waited_out_then_the_answer_is_used(llm, sessionmaker):
    request = plan_request(uuid.uuid4())
    good = calendar(solve(request).sessions)
    script = llm.reply(failure(429, "slow down", retry_after="1"), answer(good, usage=(500, 250)))
    deltas = Deltas()

    # Calls of 3 s within a 9 s budget: the 1 s wait fits (and on a loaded box the answer
    # after it still comes within its call's time).
    await generate(sessionmaker, request, provider(llm, openai_timeout_seconds=3.0), budget=10**6)

    assert script.calls == 2
    assert script.arrivals[1] - script.arrivals[0] >= 1.0, "Retry-After was not honoured"
    assert all(body["max_tokens"] == MAX_TOKENS for body in script.requests)
    generation = await stored(sessionmaker, request.job_id)
    provenance = generation.provenance
    assert (provenance["path"], provenance["fallback_reason"]) == ("llm", None)
    assert [call["outcome"] for call in provenance["calls"]] == ["rate_limited", "valid"]
    assert await spent_today(sessionmaker, request.user_id) == 750

    assert deltas.added("schediora_ai_generations_total", path="llm", status="completed") == 1
    assert deltas.added("schediora_ai_llm_fallbacks_total") == 0
    assert deltas.added("schediora_ai_llm_tokens_total", kind="prompt") == 500
    assert deltas.added("schediora_ai_llm_tokens_total", kind="completion") == 250
    assert deltas.added("schediora_ai_llm_call_duration_seconds_count", outcome="valid") == 1
    assert deltas.added("schediora_ai_llm_call_duration_seconds_count", outcome="rate_limited") == 1


async def test_a_retry_after_past_the_budget_falls_back_at_once(llm, sessionmaker):
    request = plan_request(uuid.uuid4())
    script = llm.reply(failure(503, "overloaded", retry_after="120"))
    deltas = Deltas()

    await generate(sessionmaker, request, provider(llm))

    # The budget is TIMEOUT_SECONDS x MAX_ATTEMPTS; waiting 120 s would pass it: no 2nd call.
    assert TIMEOUT_SECONDS * MAX_ATTEMPTS < 120
    assert script.calls == 1
    provenance = (await stored(sessionmaker, request.job_id)).provenance
    assert (provenance["path"], provenance["fallback_reason"]) == (
        "local_fallback",
        "server_error",
    )
    added = deltas.added
    assert (
        added("schediora_ai_generations_total", path="llm_then_fallback", status="completed") == 1
    )
    assert added("schediora_ai_llm_fallbacks_total", reason="server_error") == 1


async def test_transient_errors_without_retry_after_back_off_up_to_the_attempts(llm, sessionmaker):
    request = plan_request(uuid.uuid4())
    good = calendar(solve(request).sessions)
    script = llm.reply(failure(500), failure(502), answer(good))

    await generate(sessionmaker, request, provider(llm))

    assert script.calls == MAX_ATTEMPTS == 3
    provenance = (await stored(sessionmaker, request.job_id)).provenance
    assert [call["outcome"] for call in provenance["calls"]] == [
        "server_error",
        "server_error",
        "valid",
    ]


async def test_a_user_past_the_daily_budget_gets_the_local_plan_without_a_call(llm, sessionmaker):
    user_id = uuid.uuid4()
    first = plan_request(user_id)
    script = llm.reply(answer(calendar(solve(first).sessions), usage=(700, 400)))
    await generate(sessionmaker, first, provider(llm), budget=1000)
    assert script.calls == 1
    assert await spent_today(sessionmaker, user_id) == 1100

    deltas = Deltas()
    second = plan_request(user_id)
    await generate(sessionmaker, second, provider(llm), budget=1000)

    assert script.calls == 1, "the LLM was asked although the budget was spent"
    generation = await stored(sessionmaker, second.job_id)
    assert generation.status == "completed"
    provenance = generation.provenance
    assert (provenance["path"], provenance["fallback_reason"], provenance["attempts"]) == (
        "local_fallback",
        "budget_exhausted",
        0,
    )
    assert generation.sessions == [s.model_dump(mode="json") for s in solve(second).sessions]
    assert await spent_today(sessionmaker, user_id) == 1100
    added = deltas.added
    assert added("schediora_ai_llm_fallbacks_total", reason="budget_exhausted") == 1
    assert added("schediora_ai_generations_total", path="llm_then_fallback") == 1
    assert added("schediora_ai_llm_tokens_total") == 0

    # Another user's budget is their own.
    other = plan_request(uuid.uuid4())
    llm.reply(answer(calendar(solve(other).sessions)))
    await generate(sessionmaker, other, provider(llm), budget=1000)
    assert script.calls == 2
