"""Auth through the gateway: login (Argon2id-bound) and GET /users/me (token check + one query).

Login hashes with the production parameters (64 MiB, t=2; services/auth/README.md), at most
two at a time on these two cores, so its throughput is the hash rate, and at 64 connections
its latency is mostly the queue in front of the hashing slots. A login that waited 5 s for a
slot is answered 503 by auth, and the stack's gateway gives an upstream 5 s before its 504:
both count under non-2xx. The same login at 4 connections shows the latency without a queue.
"""

import json
import uuid

import httpx

from benchmarks.wrk import LoadResult, run
from schediora_runtime.devstack import Stack

PASSWORD = "benchmark passphrase that is long"  # noqa: S105 - a throwaway account
HEADER = (
    "| target | req/s | p50 ms | p95 ms | p99 ms | non-2xx | socket errors |\n"
    "|---|---|---|---|---|---|---|"
)


def _row(result: LoadResult) -> str:
    return (
        f"| {result.name} | {result.throughput:,.1f} | {result.p50_ms:.1f} | "
        f"{result.p95_ms:.1f} | {result.p99_ms:.1f} | {result.non_2xx_3xx} | {result.errors} |"
    )


def _account(api: str) -> tuple[str, str]:
    """A fresh account, and an access token for it."""
    email = f"bench-{uuid.uuid4().hex[:12]}@example.com"
    body = {"email": email, "password": PASSWORD}
    response = httpx.post(f"{api}/auth/register", json=body, timeout=30)
    response.raise_for_status()
    return email, response.json()["tokens"]["access_token"]


def section(stack: Stack) -> str:
    api = f"{stack.gateway}/api/v1"
    email, access_token = _account(api)
    login_body = json.dumps({"email": email, "password": PASSWORD})
    login = {
        "method": "POST",
        "body": login_body,
        "headers": {"Content-Type": "application/json"},
        "timeout_seconds": 30,
    }
    # /users/me first: logins left queued behind Argon2 when wrk stops would still be hashed.
    results = [
        run(
            "GET /users/me, 64 connections",
            f"{api}/users/me",
            headers={"Authorization": f"Bearer {access_token}"},
        ),
        run("POST /auth/login, 4 connections", f"{api}/auth/login", connections=4, **login),
        run("POST /auth/login, 64 connections", f"{api}/auth/login", **login),
    ]
    return "\n".join(
        [
            "## Auth through the gateway (10 s each, wrk on the same 2 cores)",
            "",
            HEADER,
            *(_row(result) for result in results),
            "",
            "Login is bounded by Argon2id (64 MiB, t=2, two hashes at a time); /users/me verifies "
            "an EdDSA token and reads one joined row.",
        ]
    )
