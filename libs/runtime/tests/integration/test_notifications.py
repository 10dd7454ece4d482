"""`schediora_runtime.notifications`: a committed NOTIFY wakes the waiters of its key (and only
those) in every listening process; a rolled-back one wakes nobody; a lost LISTEN connection
reconnects and wakes every waiter once."""

import asyncio
import uuid

import psycopg
import pytest

from schediora_runtime.notifications import Listener, Waiters
from schediora_testkit import testing


@pytest.fixture
def channel() -> str:
    return f"test_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def conninfo(test_database) -> str:
    return testing.libpq_url(testing.database_url())


async def _listening(conninfo: str, channel: str, waiters: Waiters):
    listener = Listener(conninfo, channel, waiters, application_name=f"{channel}-listen")
    task = asyncio.create_task(listener.run())
    await asyncio.wait_for(listener.connected.wait(), 30)
    return listener, task


async def _notify(conninfo: str, channel: str, key: str, *, commit: bool = True) -> None:
    async with await psycopg.AsyncConnection.connect(conninfo) as connection:
        await connection.execute("SELECT pg_notify(%s, %s)", (channel, key))
        if commit:
            await connection.commit()
        else:
            await connection.rollback()


async def test_a_commit_wakes_the_keys_waiters_in_every_listener(conninfo, channel):
    one, two = Waiters(), Waiters()
    listeners = [await _listening(conninfo, channel, waiters) for waiters in (one, two)]
    try:
        with one.watch("job-1") as first, two.watch("job-1") as second, one.watch("job-2") as other:
            for event in (first, second, other):
                event.clear()  # the connect's wake-up of everyone
            await _notify(conninfo, channel, "job-1", commit=False)
            await _notify(conninfo, channel, "job-1")
            await asyncio.wait_for(asyncio.gather(first.wait(), second.wait()), 30)
            assert not other.is_set()
        assert len(one) == len(two) == 0
    finally:
        for _, task in listeners:
            task.cancel()


async def test_a_rolled_back_notify_wakes_nobody(conninfo, channel):
    waiters = Waiters()
    _, task = await _listening(conninfo, channel, waiters)
    try:
        with waiters.watch("job") as woken:
            woken.clear()
            await _notify(conninfo, channel, "job", commit=False)
            # A later committed NOTIFY on another key proves the listener has read past it.
            with waiters.watch("marker") as marker:
                await _notify(conninfo, channel, "marker")
                await asyncio.wait_for(marker.wait(), 30)
            assert not woken.is_set()
    finally:
        task.cancel()


async def test_a_lost_connection_reconnects_and_wakes_every_waiter(conninfo, channel):
    waiters = Waiters()
    listener, task = await _listening(conninfo, channel, waiters)
    try:
        with waiters.watch("a") as a, waiters.watch("b") as b:
            a.clear()
            b.clear()
            async with await psycopg.AsyncConnection.connect(
                testing.admin_url(), autocommit=True
            ) as admin:
                await admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = %s",
                    (f"{channel}-listen",),
                )
            await asyncio.wait_for(asyncio.gather(a.wait(), b.wait()), 30)
            assert listener.connections == 2
    finally:
        task.cancel()
