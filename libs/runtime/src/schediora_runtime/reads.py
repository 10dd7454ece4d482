"""Reads that need no transaction: pooled psycopg connections in autocommit, no ORM; and the
hot writes that are one statement or one short explicit transaction (`Reads.write`).

A read through an `AsyncSession` costs BEGIN, the query and COMMIT (three round trips, plus a
pre-ping's fourth) and the ORM's machinery around each: ~1.3 ms of CPU in the service for a
one-row query, against ~0.3 ms here (README: Performance). One autocommit statement sees one
snapshot, exactly what READ COMMITTED gives each statement of a transaction; a read of several
statements is no more consistent inside a transaction than outside one.

A connection that died while idle in the pool (server restart, a terminated backend) is found
on checkout without a round trip: an idle connection has nothing to read, so a readable socket
means the server has closed it. One that dies under a statement is retried once, on a new
connection (after the pool has checked its idle ones): reads are idempotent.
"""

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import psycopg
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from schediora_runtime.database import connection_options, libpq_conninfo
from schediora_runtime.liveness import server_closed
from schediora_runtime.settings import ServiceSettings

logger = logging.getLogger(__name__)

T = TypeVar("T")
Read = Callable[[AsyncConnection], Awaitable[T]]


async def _check(connection: AsyncConnection) -> None:
    if server_closed(connection):
        # Closed, so that the pool discards it instead of handing it out again.
        await connection.close()
        raise psycopg.OperationalError("the server closed the idle connection")


class Reads:
    """A service's read pool; `run(read)` calls `read(connection)` on a pooled connection."""

    def __init__(
        self,
        conninfo: str,
        *,
        size: int,
        options: str,
        application_name: str,
        timeout_seconds: float = 10.0,
        check: bool = True,
    ) -> None:
        self.pool = AsyncConnectionPool(
            conninfo,
            # One connection from the start, the rest opened as load asks for them (and closed
            # again after ten idle minutes): an app started by a test holds one.
            min_size=1,
            max_size=size,
            open=False,
            timeout=timeout_seconds,
            kwargs={"autocommit": True, "options": options, "application_name": application_name},
            check=_check if check else None,
            name=f"{application_name}-reads",
        )

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> "Reads":
        return cls(
            libpq_conninfo(settings),
            size=settings.database_read_pool_size,
            options=connection_options(settings),
            application_name=settings.service_name,
        )

    async def open(self) -> None:
        # Not waiting for the connections: the service starts even while the database is down.
        await self.pool.open(wait=False)

    async def close(self) -> None:
        await self.pool.close()

    async def run(self, read: Read[T]) -> T:
        """`read(connection)`, once more on a fresh connection if the first one was dead."""
        try:
            return await self._run(read)
        except psycopg.OperationalError as exc:
            if not _connection_lost(exc):
                raise
            logger.warning("a read lost its connection; retrying once: %s", exc)
            # The server restarted or dropped its backends: the other idle connections are
            # likely dead too. Checking them costs a round trip each, only after a loss.
            await self.pool.check()
            return await self._run(read)

    async def write(self, write: Read[T]) -> T:
        """`write(connection)` once, never retried: it may have committed before its connection
        was lost. For a hot write that is one statement (atomic by itself in autocommit), or
        that opens `connection.transaction()` itself: no ORM unit of work, no pre-ping, and
        the pool hands out connections first come, first served (README: Performance)."""
        async with self.pool.connection() as connection:
            return await write(connection)

    async def _run(self, read: Read[T]) -> T:
        async with self.pool.connection() as connection:
            try:
                return await read(connection)
            except psycopg.OperationalError as exc:
                if connection.broken or connection.closed:
                    exc.add_note("connection lost")
                raise


def _connection_lost(exc: psycopg.OperationalError) -> bool:
    # A statement timeout (QueryCanceled) is an OperationalError too, on a healthy connection.
    return "connection lost" in getattr(exc, "__notes__", ())
