"""Queries on throttles; never commits. Each statement is atomic under concurrent requests."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import case, delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from auth.throttling.models import Throttle

PURGE_BATCH = 100


async def latest_lock(
    session: AsyncSession, keys: Sequence[str], now: datetime
) -> tuple[str, datetime] | None:
    """The key whose lock, among those still in force on `keys`, lasts longest, and its end."""
    row = (
        await session.execute(
            select(Throttle.key, Throttle.locked_until)
            .where(Throttle.key.in_(keys), Throttle.locked_until > now)
            .order_by(Throttle.locked_until.desc())
            .limit(1)
        )
    ).first()
    return None if row is None else (row.key, row.locked_until)


async def count_failure(
    session: AsyncSession,
    key: str,
    now: datetime,
    *,
    limit: int,
    window: timedelta,
    lockout: timedelta,
) -> int:
    """Add one failure to the key's window (a new window once it expired); lock at `limit`."""
    expired = Throttle.window_started_at <= now - window
    failures = case((expired, 1), else_=Throttle.failures + 1)
    statement = (
        insert(Throttle)
        .values(
            key=key,
            window_started_at=now,
            failures=1,
            locked_until=now + lockout if limit <= 1 else None,
        )
        .on_conflict_do_update(
            index_elements=[Throttle.key],
            set_={
                "window_started_at": case((expired, now), else_=Throttle.window_started_at),
                "failures": failures,
                "locked_until": case(
                    (failures >= limit, now + lockout), else_=Throttle.locked_until
                ),
            },
        )
        .returning(Throttle.failures)
    )
    return (await session.execute(statement)).scalar_one()


async def forget(session: AsyncSession, key: str) -> None:
    await session.execute(delete(Throttle).where(Throttle.key == key))


async def purge_stale(session: AsyncSession, now: datetime, older_than: timedelta) -> None:
    """Drop a bounded batch of windows that no rule looks at any more."""
    stale = (
        select(Throttle.key)
        .where(
            Throttle.window_started_at < now - older_than,
            (Throttle.locked_until.is_(None)) | (Throttle.locked_until < now),
        )
        .limit(PURGE_BATCH)
        .with_for_update(skip_locked=True)
    )
    await session.execute(delete(Throttle).where(Throttle.key.in_(stale.scalar_subquery())))
