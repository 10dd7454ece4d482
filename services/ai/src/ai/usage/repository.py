"""Queries on token usage; never commits. Each change is one atomic statement, so generations
of one user beginning at once on any replica see each other's reservations."""

from datetime import date
from uuid import UUID

from sqlalchemy import delete, func, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ai.usage.models import TokenUsage


async def reserve(
    session: AsyncSession, user_id: UUID, day: date, tokens: int, budget: int
) -> bool:
    """Hold `tokens` on the user's day if what is spent and held there is still under `budget`
    (≥ 1; the row is locked meanwhile); False, and nothing held, otherwise."""
    statement = insert(TokenUsage).values(user_id=user_id, day=day, tokens=0, reserved=tokens)
    held = await session.execute(
        statement.on_conflict_do_update(
            index_elements=[TokenUsage.user_id, TokenUsage.day],
            set_={"reserved": TokenUsage.reserved + statement.excluded.reserved},
            where=TokenUsage.tokens + TokenUsage.reserved < budget,
        ).returning(TokenUsage.day)
    )
    # A new row (nothing spent or held yet) is under any budget of at least one token.
    return held.first() is not None


async def release(session: AsyncSession, user_id: UUID, day: date, tokens: int) -> None:
    await session.execute(
        update(TokenUsage)
        .where(TokenUsage.user_id == user_id, TokenUsage.day == day)
        .values(reserved=func.greatest(TokenUsage.reserved - tokens, 0))
    )


async def charge(session: AsyncSession, user_id: UUID, day: date, tokens: int) -> None:
    statement = insert(TokenUsage).values(user_id=user_id, day=day, tokens=tokens)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[TokenUsage.user_id, TokenUsage.day],
            set_={"tokens": TokenUsage.tokens + statement.excluded.tokens},
        )
    )


async def delete_of(session: AsyncSession, user_id: UUID) -> None:
    await session.execute(delete(TokenUsage).where(TokenUsage.user_id == user_id))
