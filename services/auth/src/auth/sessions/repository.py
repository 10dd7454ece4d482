"""Queries on refresh tokens; never commits."""

from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from auth.sessions.models import RefreshToken


def add(session: AsyncSession, token: RefreshToken) -> None:
    session.add(token)


async def get_by_hash(session: AsyncSession, token_hash: bytes) -> RefreshToken | None:
    return await session.scalar(select(RefreshToken).where(RefreshToken.token_hash == token_hash))


async def get_by_hash_for_update(session: AsyncSession, token_hash: bytes) -> RefreshToken | None:
    """Locks the row: two refreshes of one token run one after the other, never side by side."""
    return await session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == token_hash).with_for_update()
    )


async def revoke_family(session: AsyncSession, family_id: UUID, now: datetime) -> int:
    result = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


async def families_with_live_tokens(
    session: AsyncSession, user_id: UUID, now: datetime, token_lifetime: timedelta
) -> list[UUID]:
    """Families that can still mint tokens, or minted one that may still be valid."""
    rows = await session.scalars(
        select(RefreshToken.family_id)
        .where(
            RefreshToken.user_id == user_id,
            or_(
                (RefreshToken.revoked_at.is_(None)) & (RefreshToken.expires_at > now),
                RefreshToken.created_at > now - token_lifetime,
            ),
        )
        .distinct()
    )
    return list(rows)
