"""Live job progress at scale: `CLIENTS` Server-Sent Events clients through the gateway, each
following a job of its own (`GET /ai/jobs/{id}/events`), and what they cost while they wait.

`CLIENTS` users and one queued generation job each are written straight into the planner's
tables (no PlanRequested in the outbox, so the ai never answers and the jobs stay queued; the
deadline is a day away); their access tokens are signed with the stack's key, as the load
sections' are. Measured, each over `WAIT_SECONDS`:

- idle: before any client connects;
- waiting: after every client got its first message (`queued`).

For each: the resident memory (MiB) and CPU (% of one core) of the planner's and the gateway's
process trees, and the database's committed transactions a second (`pg_stat_database`, the
whole bench database: relays, sweeps and listeners included) — a waiting client sends no query,
so the two rows should read alike. Then every job is failed in one committed UPDATE (as the
deadline sweep would: a state change that ends a stream), and the seconds from that commit until
each stream ended are reported (p50, p99, max): the NOTIFY, the wake of the waiters, one read per
job and the last message through the gateway. The clients run in this process, on the same
cores. Everything written is deleted afterwards.
"""

import asyncio
import json
import resource
import statistics
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import psycopg

from benchmarks.cpu import tree_cpu, tree_rss_mib
from benchmarks.dataset import TOKEN_SECONDS, auth_key
from schediora_testkit.devstack import Stack
from schediora_testkit.testing import libpq_url

CLIENTS = 500
WAIT_SECONDS = 10
BATCH = 50
"""Clients connect `BATCH` at a time, each batch once the previous one has its first messages:
500 opened at once on this 2-core machine queue in the planner past the gateway's 10 s limit
for an answer's headers (10 of 500 were 504s in a first run)."""
PROCESSES = ("planner", "gateway")


@dataclass
class Client:
    job_id: uuid.UUID
    headers: dict[str, str]
    statuses: list[str] = field(default_factory=list)
    first: asyncio.Event = field(default_factory=asyncio.Event)
    ended_at: float | None = None
    failure: str | None = None


@dataclass
class Reading:
    label: str
    rss_mib: dict[str, float]
    cpu_percent: dict[str, float]
    transactions_per_second: float


def _raise_open_files(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(needed, hard), hard))


def _seed(url: str, count: int) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """`count` users with one queued job each; (user id, job id) pairs."""
    now = datetime.now(UTC)
    week = (now - timedelta(days=now.weekday())).date()
    pairs = [(uuid.uuid4(), uuid.uuid4()) for _ in range(count)]
    with psycopg.connect(url) as connection:
        cursor = connection.cursor()
        cursor.executemany("INSERT INTO planner.users (id) VALUES (%s)", [(u,) for u, _ in pairs])
        cursor.executemany(
            "INSERT INTO planner.ai_jobs (id, user_id, kind, status, week_start, created_at, "
            "deadline_at) VALUES (%s, %s, 'generate', 'queued', %s, %s, %s)",
            [(job, user, week, now, now + timedelta(days=1)) for user, job in pairs],
        )
    return pairs


def _remove(url: str, users: list[uuid.UUID]) -> None:
    with psycopg.connect(url) as connection:
        connection.execute("DELETE FROM planner.users WHERE id = ANY(%s)", (users,))


def _transactions(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as connection:
        row = connection.execute(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
    assert row is not None
    return int(row[0])


async def _read(stack: Stack, url: str, label: str) -> Reading:
    roots = {name: stack.services[name].process.pid for name in PROCESSES}  # type: ignore[union-attr]
    cpu_before, commits_before, started = tree_cpu(roots), _transactions(url), time.monotonic()
    await asyncio.sleep(WAIT_SECONDS)
    cpu_after, commits_after = tree_cpu(roots), _transactions(url)
    seconds = time.monotonic() - started
    return Reading(
        label,
        tree_rss_mib(roots),
        {name: 100 * (cpu_after[name] - cpu_before[name]) / seconds for name in PROCESSES},
        (commits_after - commits_before) / seconds,
    )


async def _follow(http: httpx.AsyncClient, client: Client) -> None:
    path = f"/api/v1/ai/jobs/{client.job_id}/events"
    headers = client.headers | {"Accept": "text/event-stream"}
    try:
        async with http.stream("GET", path, headers=headers) as response:
            if response.status_code != 200:
                client.failure = f"{response.status_code} {(await response.aread())[:200]!r}"
                return
            async for line in response.aiter_lines():
                if line.startswith("data: "):
                    client.statuses.append(json.loads(line.removeprefix("data: "))["status"])
                    client.first.set()
        client.ended_at = time.monotonic()
    except httpx.HTTPError as exc:
        client.failure = repr(exc)
    finally:
        client.first.set()  # connected or failed: the batch goes on either way


async def _run(stack: Stack, url: str, clients: list[Client]) -> tuple[list[Reading], dict]:
    readings = [await _read(stack, url, "idle, no client")]
    limits = httpx.Limits(max_connections=len(clients) + 10, max_keepalive_connections=0)
    timeout = httpx.Timeout(60, read=None)
    async with httpx.AsyncClient(base_url=stack.gateway, limits=limits, timeout=timeout) as http:
        connecting = time.monotonic()
        tasks = []
        for start in range(0, len(clients), BATCH):
            batch = clients[start : start + BATCH]
            tasks += [asyncio.create_task(_follow(http, client)) for client in batch]
            await asyncio.wait_for(asyncio.gather(*(c.first.wait() for c in batch)), 300)
        connected = time.monotonic() - connecting
        await asyncio.sleep(1)
        readings.append(await _read(stack, url, f"{len(clients)} clients waiting"))
        with psycopg.connect(url) as connection:
            connection.execute(
                "UPDATE planner.ai_jobs SET status = 'failed', error_code = 'bench_done', "
                "error_message = 'benchmark over', finished_at = now() WHERE id = ANY(%s)",
                ([c.job_id for c in clients],),
            )
            connection.commit()
            committed = time.monotonic()
        await asyncio.wait_for(asyncio.gather(*tasks), 300)
    ends = sorted(c.ended_at - committed for c in clients if c.ended_at is not None)
    wrong = sum(c.statuses != ["queued", "failed"] for c in clients if c.failure is None)
    failures = [c.failure for c in clients if c.failure is not None]
    return readings, {"connected_s": connected, "ends": ends, "wrong": wrong, "failures": failures}


def section(stack: Stack) -> str:
    _raise_open_files(4 * CLIENTS + 256)
    url = libpq_url(stack.services["planner"].env["DATABASE_URL"])
    pairs = _seed(url, CLIENTS)
    key = auth_key(stack)
    expires = int(time.time()) + TOKEN_SECONDS
    clients = [
        Client(job, {"Authorization": f"Bearer {key.access_token(user, exp=expires)}"})
        for user, job in pairs
    ]
    try:
        readings, result = asyncio.run(_run(stack, url, clients))
    finally:
        _remove(url, [user for user, _ in pairs])
    return _table(readings, result)


def _table(readings: list[Reading], result: dict) -> str:
    lines = [
        f"## Job events (SSE): {CLIENTS} clients through the gateway, {WAIT_SECONDS} s a reading",
        "",
        "| state | planner RSS MiB | planner CPU % | gateway RSS MiB | gateway CPU % "
        "| DB commits/s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in readings:
        lines.append(
            f"| {r.label} | {r.rss_mib['planner']:.0f} | {r.cpu_percent['planner']:.1f} "
            f"| {r.rss_mib['gateway']:.0f} | {r.cpu_percent['gateway']:.1f} "
            f"| {r.transactions_per_second:.1f} |"
        )
    ends = result["ends"]
    p99 = ends[min(len(ends) - 1, int(0.99 * len(ends)))] if ends else float("nan")
    failures = result["failures"]
    lines += [
        "",
        f"{CLIENTS - len(failures)} of {CLIENTS} connected and got `queued`, {BATCH} at a time, "
        f"in {result['connected_s']:.1f} s. After one commit failing every job: streams ended "
        f"{len(ends)}, p50 {statistics.median(ends) if ends else float('nan'):.3f} s, "
        f"p99 {p99:.3f} s, max {ends[-1] if ends else float('nan'):.3f} s (from the commit); "
        f"streams that did not see exactly queued, failed: {result['wrong']}.",
    ]
    if failures:
        lines.append(f"Failed to connect: {len(failures)}, e.g. {failures[0]}")
    return "\n".join(lines)
