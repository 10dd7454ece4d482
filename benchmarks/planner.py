"""The planner through the gateway on a realistic volume: 1,000 users x 20 weeks of plans
(about 240,000 sessions, written by `planner.seed`), each request made as one user after another.

Every seeded user gets an access token signed with the stack's throwaway key under the kid auth
publishes in its JWKS, so that the load spreads over all 1,000 users (and 1,000 rows for PATCH)
without an Argon2 hash per account; auth's own tokens are measured in the auth section. The
seeded users are deleted afterwards (their plans, sessions and subjects go with them).
"""

import asyncio
import time
from dataclasses import dataclass
from uuid import UUID

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from benchmarks.wrk import LoadResult, Request, rotation, run
from planner.seed import analyze, remove, seed
from schediora_runtime.devstack import Stack
from schediora_runtime.security.testing import SigningKey

USERS = 1000
WEEKS = 20
HEADER = (
    "| target | req/s | p50 ms | p95 ms | p99 ms | non-2xx | socket errors |\n"
    "|---|---|---|---|---|---|---|"
)

# The last session of each user: a planned one later this week, which a PATCH may change.
_LATEST_SESSIONS = text("""
    SELECT DISTINCT ON (user_id) user_id, id FROM planner.study_sessions
    WHERE user_id = ANY(CAST(:ids AS uuid[])) AND active
    ORDER BY user_id, starts_at DESC
""")


@dataclass(frozen=True)
class Dataset:
    sessions: dict[UUID, UUID]
    """Each seeded user and the session their PATCH requests change."""
    plans: int
    session_count: int
    seconds: float


def _row(result: LoadResult) -> str:
    return (
        f"| {result.name} | {result.throughput:,.0f} | {result.p50_ms:.1f} | "
        f"{result.p95_ms:.1f} | {result.p99_ms:.1f} | {result.non_2xx_3xx} | {result.errors} |"
    )


async def _seed(url: str) -> Dataset:
    engine = create_async_engine(url)
    try:
        started = time.perf_counter()
        async with engine.begin() as connection:
            seeded = await seed(connection, users=USERS, weeks=WEEKS)
        seconds = time.perf_counter() - started
        async with engine.begin() as connection:
            await analyze(connection)
            rows = await connection.execute(_LATEST_SESSIONS, {"ids": seeded.user_ids})
            sessions = {user_id: session_id for user_id, session_id in rows}
    finally:
        await engine.dispose()
    return Dataset(sessions, seeded.plans, seeded.sessions, seconds)


async def _remove(url: str, user_ids: list[UUID]) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await remove(connection, user_ids)
    finally:
        await engine.dispose()


def _auth_key(stack: Stack) -> SigningKey:
    """The key auth signs with in this stack, under the kid its JWKS publishes."""
    pem = stack.services["auth"].env["JWT_SIGNING_KEY"].encode()
    private_key = serialization.load_pem_private_key(pem, password=None)
    assert isinstance(private_key, Ed25519PrivateKey)
    public = SigningKey(private_key=private_key).public_jwk()["x"]
    published = httpx.get(f"{stack.gateway}/api/v1/auth/jwks.json", timeout=10).json()["keys"]
    kid = next(key["kid"] for key in published if key["x"] == public)
    return SigningKey(kid=kid, private_key=private_key)


def _check(stack: Stack, request: Request) -> None:
    """One request before the load: a benchmark of error answers would measure nothing."""
    response = httpx.request(
        request.method,
        f"{stack.gateway}{request.path}",
        headers=request.headers,
        content=request.body.replace("{n}", "check") if request.body else None,
        timeout=10,
    )
    if response.status_code != 200:
        answer = f"{response.status_code} {response.text}"
        raise RuntimeError(f"{request.method} {request.path}: {answer}")


def section(stack: Stack) -> str:
    url = stack.services["planner"].env["DATABASE_URL"]
    dataset = asyncio.run(_seed(url))
    try:
        key = _auth_key(stack)
        bearer = {
            user_id: {"Authorization": f"Bearer {key.access_token(user_id)}"}
            for user_id in dataset.sessions
        }
        loads = {
            "GET /sessions?week=current": [
                Request("GET", "/api/v1/sessions?week=current", bearer[user_id])
                for user_id in dataset.sessions
            ],
            "GET /dashboard/summary?range=30d": [
                Request("GET", "/api/v1/dashboard/summary?range=30d", bearer[user_id])
                for user_id in dataset.sessions
            ],
            "PATCH /sessions/{id} (notes)": [
                Request(
                    "PATCH",
                    f"/api/v1/sessions/{session_id}",
                    bearer[user_id] | {"Content-Type": "application/json"},
                    '{"notes": "benchmark note {n}"}',
                )
                for user_id, session_id in dataset.sessions.items()
            ],
        }
        for requests in loads.values():
            _check(stack, requests[0])
        results = [
            run(f"{name}, 64 connections", stack.gateway, lua=rotation(requests))
            for name, requests in loads.items()
        ]
    finally:
        asyncio.run(_remove(url, list(dataset.sessions)))
    return "\n".join(
        [
            "## Planner through the gateway (64 connections, 10 s each, wrk on the same 2 cores)",
            "",
            f"Seeded {len(dataset.sessions):,} users x {WEEKS} weeks: {dataset.plans:,} active "
            f"plans, {dataset.session_count:,} sessions in {dataset.seconds:.1f} s. Requests "
            "rotate over all users' tokens; each PATCH writes a new note on its user's last "
            "session.",
            "",
            HEADER,
            *(_row(result) for result in results),
        ]
    )
