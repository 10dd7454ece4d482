"""Is a pooled PostgreSQL connection still alive? Answered without a round trip."""

import select

import psycopg
from psycopg import AsyncConnection


def server_closed(connection: AsyncConnection) -> bool:
    """True when an idle connection has data waiting (or no socket left).

    An idle connection receives nothing unless the server is saying goodbye (a terminated
    backend, a restart) or has closed the socket; either way it is unusable. A pre-ping would
    learn the same with a `SELECT 1` round trip on every checkout.
    """
    if connection.closed or connection.broken:
        return True
    try:
        readable, _, _ = select.select([connection.pgconn.socket], [], [], 0)
    except (OSError, ValueError, psycopg.OperationalError):
        return True
    return bool(readable)
