"""Reads and writes of `auth.signing_keys`."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from auth.signing.models import SigningKey


async def all_keys(session: AsyncSession) -> Sequence[SigningKey]:
    """Every row, oldest first."""
    return (
        await session.scalars(select(SigningKey).order_by(SigningKey.created_at, SigningKey.kid))
    ).all()


async def lock_keys(session: AsyncSession) -> None:
    """One key change at a time (two `rotate` runs must not both believe they sign)."""
    table = SigningKey.__table__.fullname
    await session.execute(text(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE"))


async def add(session: AsyncSession, key: SigningKey) -> None:
    session.add(key)
    await session.flush()


async def get(session: AsyncSession, kid: str) -> SigningKey | None:
    return await session.get(SigningKey, kid)


async def mark_withdrawn(session: AsyncSession, key: SigningKey, at: datetime) -> None:
    key.withdrawn_at = at
    await session.flush()
