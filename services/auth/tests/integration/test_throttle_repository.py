"""The throttle counters against PostgreSQL: windows, locks, concurrency, purging."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from auth.throttling import repository
from auth.throttling.models import Throttle
from schediora_testkit import testing

WINDOW = timedelta(minutes=15)


@pytest.fixture
async def sessions(test_database):
    engine = create_async_engine(
        testing.database_url("auth"), connect_args={"options": "-c search_path=auth"}
    )
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


def _key() -> str:
    return f"test:{uuid.uuid4().hex}"


async def _fail(sessions, key, now, limit=3):
    async with sessions.begin() as session:
        return await repository.count_failure(
            session, key, now, limit=limit, window=WINDOW, lockout=WINDOW
        )


async def _locked_until(sessions, key, now):
    async with sessions() as session:
        lock = await repository.latest_lock(session, [key], now)
    if lock is None:
        return None
    assert lock[0] == key
    return lock[1]


async def test_failures_count_up_and_lock_at_the_limit(sessions):
    key, now = _key(), datetime.now(UTC)
    assert [await _fail(sessions, key, now) for _ in range(2)] == [1, 2]
    assert await _locked_until(sessions, key, now) is None
    assert await _fail(sessions, key, now) == 3
    assert await _locked_until(sessions, key, now) == now + WINDOW
    assert await _locked_until(sessions, key, now + WINDOW) is None


async def test_a_new_window_starts_from_one(sessions):
    key, now = _key(), datetime.now(UTC)
    await _fail(sessions, key, now)
    await _fail(sessions, key, now)
    assert await _fail(sessions, key, now + WINDOW) == 1


async def test_concurrent_failures_are_all_counted(sessions):
    key, now = _key(), datetime.now(UTC)
    counts = await asyncio.gather(*(_fail(sessions, key, now, limit=100) for _ in range(20)))
    assert sorted(counts) == list(range(1, 21))


async def test_stale_windows_are_purged_but_live_locks_are_kept(sessions):
    now = datetime.now(UTC) + timedelta(days=3)  # later than any other test's rows
    stale, locked, fresh = _key(), _key(), _key()
    async with sessions.begin() as session:
        session.add_all(
            [
                Throttle(key=stale, window_started_at=now - 2 * WINDOW, failures=1),
                Throttle(
                    key=locked,
                    window_started_at=now - 2 * WINDOW,
                    failures=3,
                    locked_until=now + WINDOW,
                ),
                Throttle(key=fresh, window_started_at=now, failures=1),
            ]
        )
    for _ in range(100):  # purge in batches until the stale row is gone
        async with sessions.begin() as session:
            await repository.purge_stale(session, now, WINDOW)
            remaining = set(
                await session.scalars(
                    select(Throttle.key).where(Throttle.key.in_([stale, locked, fresh]))
                )
            )
        if stale not in remaining:
            break
    assert remaining == {locked, fresh}
    async with sessions.begin() as session:
        for key in (locked, fresh):
            await repository.forget(session, key)
