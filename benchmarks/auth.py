"""Auth through the gateway: GET /users/me (a token check and one joined row, rotating over
1,000 users) and POST /auth/refresh (a closed loop of rotations: every answer's refresh token is
spent by a later request), at 16 and 64 connections; and login, bound by Argon2id."""

import json
import uuid

import httpx

from benchmarks.dataset import Dataset
from benchmarks.rounds import Case
from benchmarks.wrk import LoadResult, Request, chain, rotation, run
from schediora_testkit.devstack import Stack

PASSWORD = "benchmark passphrase that is long"  # noqa: S105 - a throwaway account
SPARE_TOKENS = 4
"""Refresh tokens minted per connection: a refused refresh loses its chain's token."""


def users_me(dataset: Dataset, connections: int, *, direct: bool = False) -> Case:
    requests = [Request("GET", "/api/v1/users/me", dataset.bearer[u]) for u in dataset.user_ids]
    lua = rotation(requests)
    where = "auth direct" if direct else "gateway"

    def load(stack: Stack) -> dict:
        url = stack.services["auth"].url if direct else stack.gateway
        return {"url": url, "lua": lua}

    name = f"GET /users/me ({where}), {connections} c"
    return Case(name, connections, "auth", load, through_gateway=not direct)


def refresh(dataset: Dataset, connections: int) -> Case:
    def load(stack: Stack) -> dict:
        tokens = dataset.refresh_tokens(connections * SPARE_TOKENS)
        headers = {"Content-Type": "application/json"}
        return {"url": stack.gateway, "lua": chain("/api/v1/auth/refresh", headers, tokens)}

    return Case(f"POST /auth/refresh, {connections} c", connections, "auth", load)


def cases(dataset: Dataset) -> list[Case]:
    return [
        *(users_me(dataset, c) for c in (16, 64)),
        *(refresh(dataset, c) for c in (16, 64)),
    ]


HEADER = (
    "| target | req/s | p50 ms | p95 ms | p99 ms | non-2xx | socket errors |\n"
    "|---|---|---|---|---|---|---|"
)


def _row(result: LoadResult) -> str:
    return (
        f"| {result.name} | {result.throughput:,.1f} | {result.p50_ms:.1f} | "
        f"{result.p95_ms:.1f} | {result.p99_ms:.1f} | {result.non_2xx_3xx} | {result.errors} |"
    )


def login_section(stack: Stack) -> str:
    """Login hashes with the production parameters (64 MiB, t=2; services/auth/README.md), at
    most two at a time on these two cores, so its throughput is the hash rate, and at 64
    connections its latency is mostly the queue in front of the hashing slots (a login that
    waited 5 s for a slot is a 503, counted under non-2xx)."""
    api = f"{stack.gateway}/api/v1"
    email = f"bench-{uuid.uuid4().hex[:12]}@example.com"
    body = {"email": email, "password": PASSWORD}
    httpx.post(f"{api}/auth/register", json=body, timeout=30).raise_for_status()
    login = {
        "method": "POST",
        "body": json.dumps(body),
        "headers": {"Content-Type": "application/json"},
        "timeout_seconds": 30,
    }
    results = [
        run("POST /auth/login, 4 connections", f"{api}/auth/login", connections=4, **login),
        run("POST /auth/login, 64 connections", f"{api}/auth/login", **login),
    ]
    return "\n".join(
        [
            "## Login through the gateway (10 s each, wrk on the same 2 cores)",
            "",
            HEADER,
            *(_row(result) for result in results),
            "",
            "Login is bounded by Argon2id (64 MiB, t=2, two hashes at a time).",
        ]
    )
