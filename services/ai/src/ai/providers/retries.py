"""When to ask the LLM again, and how long to wait first (tenacity).

Transient errors (429, 5xx, timeouts, lost connections) wait before the next call: the
server's `Retry-After` (or `retry-after-ms`) when it sent one, else an exponential backoff with
full jitter. An answer that can be corrected (malformed, breaking the rules) is asked about again
at once with what was wrong. Nothing waits past the generation's LLM budget: when the next wait
would end beyond it, the retrying stops and the local solver takes over."""

import email.utils
import math
from datetime import UTC, datetime

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_result,
    stop_after_attempt,
    stop_before_delay,
    wait_random_exponential,
)

from ai.providers.provenance import Outcome

TRANSIENT: frozenset[Outcome] = frozenset(
    {"rate_limited", "server_error", "timeout", "connection_error"}
)
"""Outcomes a wait may cure: the next call comes after a backoff or the server's Retry-After."""
FINAL: frozenset[Outcome] = frozenset({"valid", "refusal", "client_error"})
"""Outcomes after which no call follows (a plan, or an answer asking again would repeat)."""


def retry_after_seconds(headers, now: datetime | None = None) -> float | None:
    """The server's wish from `retry-after-ms` or `Retry-After` (seconds or an HTTP date)."""
    if headers is None:
        return None
    if (millis := headers.get("retry-after-ms")) is not None:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0.0, seconds) if math.isfinite(seconds) else None


def retrying(
    *,
    max_attempts: int,
    budget_seconds: float,
    backoff_seconds: float,
    backoff_max_seconds: float,
) -> AsyncRetrying:
    """Calls until one is final, `max_attempts` calls were made, or the next would start past
    `budget_seconds` from the first; the result is then the last answer (an object with
    `outcome` and `retry_after`)."""
    backoff = wait_random_exponential(multiplier=backoff_seconds, max=backoff_max_seconds)

    def wait(state: RetryCallState) -> float:
        last = state.outcome.result() if state.outcome else None
        if last is None or last.outcome not in TRANSIENT:
            return 0.0
        if last.retry_after is not None:
            return last.retry_after
        return backoff(state)

    return AsyncRetrying(
        stop=stop_after_attempt(max_attempts) | stop_before_delay(budget_seconds),
        wait=wait,
        retry=retry_if_result(lambda answered: answered.outcome not in FINAL),
        retry_error_callback=lambda state: state.outcome.result() if state.outcome else None,
        reraise=True,
    )
