"""The per-user daily LLM token budget. Checked before a generation asks the LLM (in `begin`'s
transaction), charged with what the calls reported when the outcome is stored (in `finish`'s).
Generations of one user running at once may together pass the budget by what they spend
meanwhile (each at most `OPENAI_MAX_ATTEMPTS x OPENAI_MAX_TOKENS` completion tokens plus their
prompts); the next one then falls back to the local solver. A row per user and active day is
kept (a few bytes) until the account is deleted."""

from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from ai.usage import repository


async def within_budget(session: AsyncSession, user_id: UUID, now: datetime, budget: int) -> bool:
    return await repository.spent(session, user_id, now.astimezone(UTC).date()) < budget


async def charge(session: AsyncSession, user_id: UUID, now: datetime, tokens: int) -> None:
    if tokens > 0:
        await repository.charge(session, user_id, now.astimezone(UTC).date(), tokens)


async def forget(session: AsyncSession, user_id: UUID) -> None:
    await repository.delete_of(session, user_id)
