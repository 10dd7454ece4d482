"""Queries on refresh tokens; never commits."""

from datetime import datetime, timedelta
from uuid import UUID

from psycopg import AsyncConnection
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


# The rotation of a live token in one statement: spend it and insert its successor in the same
# family, unless an address lock holds. Concurrent rotations of one token queue on its row
# lock; the later one then finds it spent and rotates nothing (READ COMMITTED re-checks the
# WHERE on the updated row).
_ROTATE = """
WITH spent AS (
    UPDATE refresh_tokens SET rotated_at = %(now)s
    WHERE token_hash = %(token_hash)s
      AND rotated_at IS NULL AND revoked_at IS NULL AND expires_at > %(now)s
      AND NOT EXISTS (
          SELECT 1 FROM throttles WHERE key = ANY(%(locks)s) AND locked_until > %(now)s
      )
    RETURNING user_id, family_id, expires_at
)
INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, created_at, expires_at)
SELECT %(id)s, user_id, family_id, %(new_hash)s, %(now)s, expires_at FROM spent
RETURNING user_id, family_id, expires_at
"""


async def rotate_live(
    connection: AsyncConnection,
    token_hash: bytes,
    *,
    new_id: UUID,
    new_hash: bytes,
    now: datetime,
    locks: list[str],
) -> tuple[UUID, UUID, datetime] | None:
    """Spend a live, unspent, unrevoked token and store its successor in one autocommit
    statement: (user id, family id, family end), or None when anything is not so (a spent,
    revoked, expired or unknown token, or a lock on one of `locks`), with nothing written."""
    cursor = await connection.execute(
        _ROTATE,
        {
            "now": now,
            "token_hash": token_hash,
            "locks": locks,
            "id": new_id,
            "new_hash": new_hash,
        },
    )
    return await cursor.fetchone()
