"""Reading how long an LLM server asks to wait: `retry-after-ms`, `Retry-After` in seconds or as
an HTTP date; nothing usable is None (the backoff decides then)."""

from datetime import UTC, datetime

import httpx
import pytest

from ai.providers.retries import retry_after_seconds

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"Retry-After": "1.5"}, 1.5),
        ({"retry-after-ms": "250", "Retry-After": "9"}, 0.25),
        ({"Retry-After": "Thu, 03 Dec 2026 12:00:30 GMT"}, 30.0),
        ({"Retry-After": "Thu, 03 Dec 2026 11:00:00 GMT"}, 0.0),
        ({"Retry-After": "-3"}, 0.0),
        ({"Retry-After": "soon"}, None),
        ({"Retry-After": "nan"}, None),
        ({}, None),
    ],
)
def test_retry_after_is_read_from_the_headers(headers, seconds):
    assert retry_after_seconds(httpx.Headers(headers), NOW) == seconds
