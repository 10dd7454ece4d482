"""The one clock every service reads: an aware UTC instant. Use cases take `now` as an argument;
only the edges read the clock (a request's `Now` dependency, a worker's loop), so tests fix time
by overriding those."""

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)
