"""Revocation: what checking it costs a request, and how long a revoked token lives on.

Check cost. `GET /users/me` through the gateway (auth verifies the token and looks its session
and user up in the revocation view, then reads one row), rotating over `USERS` students at
`CONNECTIONS` connections, `ROUNDS` x `SECONDS` s: first with an empty view, then, in the same
run, with `REVOKED` revoked sessions in every service's view (rows inserted into auth's,
planner's and ai's `revocations` tables, which the views reload every
REVOCATION_REFRESH_SECONDS). A view cannot be emptied again while the stack runs, so the two
loads run one after the other, not interleaved: on shared cores the difference is only as good
as the machine was steady. The lookup itself is also timed in process (a set lookup, in ns).

Delay. `SAMPLES` times: a student's other session is ended by `POST /auth/logout-all` and its
access token is polled on auth (`/users/me`), planner (`/subjects`) and ai (`/feedback`) until
all three answer 401; the seconds from the logout-all answer, p50 and max (the bound is 2 s).
The inserted rows are deleted afterwards.
"""

import asyncio
import os
import statistics
import time
import timeit
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import psycopg

from benchmarks.wrk import LoadResult, Request, rotation, run
from schediora_runtime.security.revocation import Revocation, RevocationList
from schediora_runtime.security.verifier import AccessClaims
from schediora_testkit import testing
from schediora_testkit.devstack import Stack

USERS = 20
REVOKED = 10_000
CONNECTIONS = 16
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
SAMPLES = 20
POLL = 0.005
PASSWORD = "benchmark passphrase that is long"  # noqa: S105 - throwaway accounts
PROBES = {"auth": "/users/me", "planner": "/subjects", "ai": "/feedback"}
BENCH_USER = uuid.UUID("00000000-0000-4000-8000-00000000beef")
"""The made-up user the inserted revocations name (so they are found and deleted after)."""


def _register(api: httpx.Client, prefix: str) -> tuple[str, dict[str, str]]:
    email = f"bench-{prefix}-{uuid.uuid4().hex[:12]}@example.com"
    answer = api.post("/auth/register", json={"email": email, "password": PASSWORD})
    answer.raise_for_status()
    return email, {"Authorization": f"Bearer {answer.json()['tokens']['access_token']}"}


def _load(stack: Stack, requests: list[Request], label: str) -> LoadResult:
    results = [
        run(
            f"GET /users/me, {label}",
            stack.gateway,
            connections=CONNECTIONS,
            seconds=SECONDS,
            lua=rotation(requests),
        )
        for _ in range(ROUNDS)
    ]
    return LoadResult(
        name=results[0].name,
        requests=int(statistics.median(r.requests for r in results)),
        seconds=statistics.median(r.seconds for r in results),
        errors=max(r.errors for r in results),
        non_2xx_3xx=max(r.non_2xx_3xx for r in results),
        p50_ms=statistics.median(r.p50_ms for r in results),
        p95_ms=statistics.median(r.p95_ms for r in results),
        p99_ms=statistics.median(r.p99_ms for r in results),
    )


def _fill(count: int) -> None:
    now = datetime.now(UTC)
    rows = [(BENCH_USER, uuid.uuid4(), now, now + timedelta(hours=1)) for _ in range(count)]
    for service in PROBES:
        url = testing.libpq_url(testing.database_url(service))
        with psycopg.connect(url) as conn, conn.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO revocations (user_id, session_id, revoked_at, expires_at) "
                "VALUES (%s, %s, %s, %s)",
                rows,
            )


def _empty() -> None:
    for service in PROBES:
        with psycopg.connect(testing.libpq_url(testing.database_url(service))) as conn:
            conn.execute("DELETE FROM revocations WHERE user_id = %s", (BENCH_USER,))


def _lookup_ns(entries: int) -> float:
    """Nanoseconds of one `is_revoked` (a token whose session is not revoked)."""
    view = RevocationList()
    expires = datetime.now(UTC) + timedelta(hours=1)
    view.add(Revocation(uuid.uuid4(), uuid.uuid4(), expires) for _ in range(entries))
    claims = AccessClaims(
        user_id=uuid.uuid4(),
        jti="x",
        issued_at=datetime.now(UTC),
        expires_at=expires,
        session_id=uuid.uuid4(),
    )
    number = 200_000
    best = min(timeit.repeat(lambda: view.is_revoked(claims), number=number, repeat=5))
    return best / number * 1e9


async def _delays(stack: Stack) -> list[float]:
    samples = []
    async with httpx.AsyncClient(base_url=f"{stack.gateway}/api/v1", timeout=30) as api:
        for _ in range(SAMPLES):
            email = f"bench-revoke-{uuid.uuid4().hex[:12]}@example.com"
            registered = await api.post(
                "/auth/register", json={"email": email, "password": PASSWORD}
            )
            registered.raise_for_status()
            mine = {"Authorization": f"Bearer {registered.json()['tokens']['access_token']}"}
            login = await api.post("/auth/login", json={"email": email, "password": PASSWORD})
            login.raise_for_status()
            other = {"Authorization": f"Bearer {login.json()['access_token']}"}
            for path in PROBES.values():
                (await api.get(path, headers=other)).raise_for_status()
            (await api.post("/auth/logout-all", headers=mine)).raise_for_status()
            since = time.monotonic()
            pending = set(PROBES.values())
            while pending:
                answers = await asyncio.gather(*(api.get(p, headers=other) for p in pending))
                pending = {
                    p for p, a in zip(list(pending), answers, strict=True) if a.status_code != 401
                }
                if time.monotonic() - since > 30:
                    raise RuntimeError(f"still accepted after 30 s on {sorted(pending)}")
                if pending:
                    await asyncio.sleep(POLL)
            samples.append(time.monotonic() - since)
    return samples


def _row(result: LoadResult) -> str:
    return (
        f"| {result.name} | {result.throughput:,.1f} | {result.p50_ms:.2f} | "
        f"{result.p95_ms:.2f} | {result.p99_ms:.2f} | {result.non_2xx_3xx} | {result.errors} |"
    )


def section(stack: Stack) -> str:
    with httpx.Client(base_url=f"{stack.gateway}/api/v1", timeout=30) as api:
        students = [_register(api, "revocation") for _ in range(USERS)]
    requests = [Request("GET", "/api/v1/users/me", headers) for _, headers in students]
    empty = _load(stack, requests, "empty view")
    try:
        _fill(REVOKED)
        time.sleep(3)  # every view reloads its table within REVOCATION_REFRESH_SECONDS (1 s)
        full = _load(stack, requests, f"{REVOKED:,} revoked sessions in every view")
        delays = sorted(asyncio.run(_delays(stack)))
    finally:
        _empty()
    lookups = {n: _lookup_ns(n) for n in (0, REVOKED)}
    per_request_us = (1 / full.throughput - 1 / empty.throughput) * 1e6 * CONNECTIONS
    return "\n".join(
        [
            f"## Revocation ({ROUNDS} rounds of {SECONDS} s, medians; wrk on the same 2 cores)",
            "",
            "| GET /users/me through the gateway | req/s | p50 ms | p95 ms | p99 ms "
            "| non-2xx | socket errors |",
            "|---|---|---|---|---|---|---|",
            _row(empty),
            _row(full),
            "",
            f"Throughput {full.throughput / empty.throughput - 1:+.1%} with {REVOKED:,} revoked "
            f"sessions (a difference of {per_request_us:+.0f} µs of wall time per request at "
            f"{CONNECTIONS} connections; the two loads ran one after the other). "
            f"The lookup itself (`RevocationList.is_revoked`, in process): "
            f"{lookups[0]:.0f} ns with an empty view, {lookups[REVOKED]:.0f} ns with "
            f"{REVOKED:,} entries.",
            "",
            f"Revocation delay (logout-all → 401 on auth, planner and ai through the gateway, "
            f"{len(delays)} samples, polled every {POLL * 1000:.0f} ms, {REVOKED:,} revoked "
            f"sessions in every view): p50 {statistics.median(delays):.3f} s, "
            f"max {delays[-1]:.3f} s (bound: 2 s).",
        ]
    )
