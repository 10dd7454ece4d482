"""Queries on token usage; never commits. Charging is one atomic upsert."""

from datetime import date
from uuid import UUID

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ai.usage.models import TokenUsage


async def spent(session: AsyncSession, user_id: UUID, day: date) -> int:
    found = await session.scalar(
        select(TokenUsage.tokens).where(TokenUsage.user_id == user_id, TokenUsage.day == day)
    )
    return found or 0


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
