"""Requests refused by a throttle, by the limit that refused them (docs/operations.md)."""

from prometheus_client import Counter

THROTTLED = Counter(
    "schediora_auth_throttled_requests",
    "Requests refused with 429 by a throttle, by limit: login_email, login_address, "
    "refresh_address, register_address, forgot_email, forgot_address, verify_user, "
    "verify_address (the one whose lock lasts longest when several hold).",
    ["limit"],
)


def throttled(limit: str) -> None:
    THROTTLED.labels(limit).inc()
