"""The per-user daily LLM token budget.

A generation that may ask the LLM reserves, in `begin`'s transaction, the most its answers can
cost (`OPENAI_MAX_ATTEMPTS x OPENAI_MAX_TOKENS`), and only while what the user's day has spent
and holds is under the budget; otherwise it uses the local solver. `finish`'s transaction
releases the reservation and charges what the calls reported. So generations of one user
running at once, on any replica, cannot together pass the budget by more than one of them
would alone (plus their prompts, which are not reserved). A generation whose message is
dead-lettered between the two keeps its reservation until its UTC day ends. A row per user and
active day is kept (a few bytes) until the account is deleted."""

from datetime import UTC, date, datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from ai.usage import repository


async def reserve(
    session: AsyncSession, user_id: UUID, at: datetime, tokens: int, budget: int
) -> bool:
    """Hold `tokens` on the user's day of `at` if its spending and holdings are under `budget`."""
    if budget <= 0:
        return False
    return await repository.reserve(session, user_id, _day(at), tokens, budget)


async def release(session: AsyncSession, user_id: UUID, at: datetime, tokens: int) -> None:
    """Give back what a generation begun at `at` held."""
    await repository.release(session, user_id, _day(at), tokens)


async def charge(session: AsyncSession, user_id: UUID, now: datetime, tokens: int) -> None:
    if tokens > 0:
        await repository.charge(session, user_id, _day(now), tokens)


async def forget(session: AsyncSession, user_id: UUID) -> None:
    await repository.delete_of(session, user_id)


def _day(at: datetime) -> date:
    return at.astimezone(UTC).date()
