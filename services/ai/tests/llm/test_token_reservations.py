"""The daily LLM token budget under concurrency: a generation that may ask the LLM reserves the
most its answers may cost (`max_tokens` x attempts) in `begin`, and gives the reservation back
in `finish`, so generations of one user beginning at once cannot together run past the budget.
Real PostgreSQL, the fake OpenAI-compatible server, the generation's three steps called as the
consumer calls them."""

import asyncio
import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from ai.generations import service
from ai.providers.local import LocalProvider
from ai.providers.registry import provider_from
from ai.scheduling.solver import solve
from ai.usage.models import TokenUsage
from schediora_testkit.fake_llm import answer

from ..api.requests import plan_request
from .conftest import MAX_ATTEMPTS, openai_settings
from .plans import calendar, new_delivery, stored

MAX_TOKENS = 1000
MOST = MAX_TOKENS * MAX_ATTEMPTS
"""What one generation reserves."""


def provider(llm):
    # Calls of up to 10 s: these tests are about the budget, not the LLM's time (on a loaded
    # box the fixtures' 0.5 s calls time out).
    return provider_from(
        openai_settings(llm.base_url, openai_max_tokens=MAX_TOKENS, openai_timeout_seconds=10)
    )


async def today(sessionmaker, user_id) -> tuple[int, int]:
    """(spent, reserved) on the user's UTC day."""
    async with sessionmaker() as session:
        row = (
            await session.execute(
                select(TokenUsage.tokens, TokenUsage.reserved).where(
                    TokenUsage.user_id == user_id, TokenUsage.day == datetime.now(UTC).date()
                )
            )
        ).first()
    return (row.tokens, row.reserved) if row else (0, 0)


async def test_ten_generations_beginning_at_once_reserve_only_what_the_budget_holds(
    llm, sessionmaker
):
    user_id = uuid.uuid4()
    requests = [plan_request(user_id) for _ in range(10)]
    # Room for two reservations: the third finds 2 x MOST held, not under the budget.
    budget = 2 * MOST
    llm_provider = provider(llm)
    claims = [new_delivery() for _ in requests]

    begun = await asyncio.gather(
        *(
            service.begin(sessionmaker, request, llm_provider, claim, token_budget=budget)
            for request, claim in zip(requests, claims, strict=True)
        )
    )

    assert sorted(b.llm_allowed for b in begun) == [False] * 8 + [True] * 2
    assert await today(sessionmaker, user_id) == (0, 2 * MOST)
    allowed = [b for b in begun if b.llm_allowed]
    script = llm.reply(
        *(answer(calendar(solve(b.request).sessions), usage=(300, 200)) for b in allowed)
    )

    for b, claim in zip(begun, claims, strict=True):
        outcome = await service.make(b.request, llm_provider, llm_allowed=b.llm_allowed)
        assert await service.finish(sessionmaker, b.request, outcome, claim)

    assert script.calls == 2, "a generation past the reserved budget asked the LLM"
    assert await today(sessionmaker, user_id) == (2 * 500, 0)
    paths = [(await stored(sessionmaker, r.job_id)).provenance for r in requests]
    assert (
        sorted((p["path"], p["fallback_reason"]) for p in paths)
        == [
            ("llm", None),
            ("llm", None),
        ]
        + [("local_fallback", "budget_exhausted")] * 8
    )
    reserved = [(await stored(sessionmaker, r.job_id)).llm_tokens_reserved for r in requests]
    assert sorted(reserved, key=lambda r: r or 0) == [None] * 8 + [MOST, MOST]


async def test_a_generation_made_again_after_a_crash_keeps_its_one_reservation(llm, sessionmaker):
    """The redelivery of a request whose process died after `begin` may still ask the LLM,
    whatever else began meanwhile, and does not reserve a second time."""
    user_id = uuid.uuid4()
    request = plan_request(user_id)
    llm_provider = provider(llm)
    first = await service.begin(
        sessionmaker, request, llm_provider, new_delivery(), token_budget=MOST
    )
    assert first.llm_allowed
    # Another generation of the user begins meanwhile and finds the budget held.
    other = await service.begin(
        sessionmaker, plan_request(user_id), llm_provider, new_delivery(), token_budget=MOST
    )
    assert not other.llm_allowed

    redelivery = new_delivery()
    again = await service.begin(sessionmaker, request, llm_provider, redelivery, token_budget=MOST)

    assert again.llm_allowed
    assert await today(sessionmaker, user_id) == (0, MOST)
    script = llm.reply(answer(calendar(solve(request).sessions), usage=(100, 50)))
    outcome = await service.make(again.request, llm_provider, llm_allowed=True)
    assert await service.finish(sessionmaker, again.request, outcome, redelivery)
    assert script.calls == 1
    assert await today(sessionmaker, user_id) == (150, 0)


async def test_the_local_provider_reserves_nothing(sessionmaker):
    request = plan_request(uuid.uuid4())
    await service.generate(sessionmaker, request, LocalProvider(), new_delivery(), token_budget=1)

    generation = await stored(sessionmaker, request.job_id)
    assert generation.status == "completed"
    assert generation.llm_tokens_reserved is None
    assert await today(sessionmaker, request.user_id) == (0, 0)
