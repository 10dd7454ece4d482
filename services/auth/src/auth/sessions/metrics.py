"""Login attempts by outcome (docs/operations.md). Counted as each attempt is answered: a
refused login's transaction may commit (the failure counters) or not (a throttle), and either
way the attempt happened."""

from typing import Literal

from prometheus_client import Counter

LoginOutcome = Literal["success", "bad_credentials", "throttled", "busy"]

LOGINS = Counter(
    "schediora_auth_logins",
    "Login attempts by outcome: success, bad_credentials (unknown email or wrong password), "
    "throttled (429), busy (503: the password hashing queue was full).",
    ["outcome"],
)


def login(outcome: LoginOutcome) -> None:
    LOGINS.labels(outcome).inc()
