"""Queries on generations; never commits."""

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ai.generations.models import Generation


async def get(
    session: AsyncSession, generation_id: UUID, *, lock: bool = False
) -> Generation | None:
    """`lock`: FOR UPDATE, so two deliveries of one request take turns on its generation."""
    return await session.get(
        Generation, generation_id, with_for_update=lock, populate_existing=lock
    )


async def get_of_user(
    session: AsyncSession, user_id: UUID, generation_id: UUID
) -> Generation | None:
    return await session.scalar(
        select(Generation).where(Generation.id == generation_id, Generation.user_id == user_id)
    )


async def add(session: AsyncSession, generation: Generation) -> None:
    session.add(generation)
    await session.flush()
