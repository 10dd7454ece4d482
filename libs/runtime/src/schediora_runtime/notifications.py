"""Waking waiters in every process from PostgreSQL `NOTIFY`: one `LISTEN` connection per
process and an in-process registry of who waits for which key.

A transaction that changes something a client waits for sends `NOTIFY <channel>, '<key>'`
(PostgreSQL delivers it only when that transaction commits, to every listening session of the
database): so each replica of a service learns of every change, whichever process made it, and
a waiter costs nothing while nothing changes. On a wake a waiter reads the state it follows
once. When the `LISTEN` connection is lost, notifications sent meanwhile are lost with it: the
listener reconnects with backoff and then wakes every waiter, so each reads its state once and
misses no change.
"""

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql

from schediora_runtime.database import libpq_conninfo
from schediora_runtime.settings import ServiceSettings

logger = logging.getLogger(__name__)


class Waiters:
    """Who waits for which key: each waiter has an `asyncio.Event` that a wake sets."""

    def __init__(self) -> None:
        self._by_key: dict[str, set[asyncio.Event]] = {}

    @contextmanager
    def watch(self, key: str) -> Iterator[asyncio.Event]:
        """An event set at every wake of `key` (clear it after reading); gone on exit."""
        woken = asyncio.Event()
        self._by_key.setdefault(key, set()).add(woken)
        try:
            yield woken
        finally:
            waiting = self._by_key.get(key)
            if waiting is not None:
                waiting.discard(woken)
                if not waiting:
                    del self._by_key[key]

    def wake(self, key: str) -> None:
        for woken in self._by_key.get(key, ()):
            woken.set()

    def wake_all(self) -> None:
        for waiting in self._by_key.values():
            for woken in waiting:
                woken.set()

    def __len__(self) -> int:
        """How many waiters are registered (a stream that ended must leave none behind)."""
        return sum(len(waiting) for waiting in self._by_key.values())


class Listener:
    """One `LISTEN <channel>` connection that wakes `waiters` with each notification's payload
    as the key; reconnects with backoff and then wakes every waiter (no missed change)."""

    def __init__(
        self,
        conninfo: str,
        channel: str,
        waiters: Waiters,
        *,
        application_name: str = "listener",
        max_backoff_seconds: float = 5.0,
    ) -> None:
        self.conninfo = conninfo
        self.channel = channel
        self.waiters = waiters
        self.application_name = application_name
        self.max_backoff_seconds = max_backoff_seconds
        self.connected = asyncio.Event()
        self.connections = 0
        """How many times the listener has connected (a test can see a reconnect)."""

    @classmethod
    def from_settings(cls, settings: ServiceSettings, channel: str, waiters: Waiters) -> "Listener":
        return cls(
            libpq_conninfo(settings),
            channel,
            waiters,
            application_name=f"{settings.service_name}-listen",
        )

    async def run(self) -> None:
        """Listen until cancelled."""
        backoff = 0.1
        while True:
            try:
                await self._listen()
            except (psycopg.OperationalError, OSError) as exc:
                if self.connected.is_set():
                    backoff = 0.1  # it had worked: the first retry comes soon
                logger.warning(
                    "LISTEN %s lost its connection (%s); reconnecting in %.1f s",
                    self.channel,
                    exc,
                    backoff,
                )
            self.connected.clear()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self.max_backoff_seconds)

    async def _listen(self) -> None:
        async with await psycopg.AsyncConnection.connect(
            self.conninfo, autocommit=True, application_name=self.application_name
        ) as connection:
            await connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
            self.connections += 1
            self.connected.set()
            # Whatever changed while no connection listened: every waiter reads once.
            self.waiters.wake_all()
            async for notification in connection.notifies():
                self.waiters.wake(notification.payload)
