"""Handler for the planner's PlanRequested: a generation in three steps (`service.generate`),
its plan made between two short transactions, with no database connection held meanwhile."""

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ai.generations import service
from ai.providers import Provider
from schediora_contracts import EventEnvelope, PlanRequested
from schediora_runtime.messaging.consumer import Claim, OwnTransactions


def on_plan_requested(
    provider: Provider, max_concurrent: int, token_budget: int | None = None
) -> OwnTransactions:
    """The handler, bound to the provider the settings chose. At most `max_concurrent`
    generations run at once in this process (`AI_MAX_CONCURRENT_GENERATIONS`); requests past
    that wait, unacked and still `queued`, for one to end. `token_budget`: each user's daily
    LLM tokens (`AI_DAILY_TOKEN_BUDGET`)."""
    slots = asyncio.Semaphore(max_concurrent)

    async def run(
        sessionmaker: async_sessionmaker[AsyncSession],
        event: PlanRequested,
        _envelope: EventEnvelope,
        claim: Claim,
    ) -> bool:
        async with slots:
            return await service.generate(
                sessionmaker, event, provider, claim, token_budget=token_budget
            )

    return OwnTransactions(run)
