"""Preferences propagation: `PUT /users/preferences` (auth) until the planner's copy has them.

A plan can be asked for only once the planner has the student's preferences (auth publishes them
through its outbox; the planner consumes `UserPreferencesUpdated`). This section measures that
delay as a client lives it: from the moment the PUT's answer arrives until the planner's table
holds the new values (read every `POLL` seconds on one connection, so a figure is at most that
much late), and from the moment the PUT was sent. Each PUT changes the student's
`daily_goal_minutes`, so the change seen is this PUT's.

Idle: one PUT at a time, nothing else running. Under load: the same, while wrk sends
`LOAD_CONNECTIONS` connections of a rotation over `LOAD_USERS` other students (PUT preferences,
which writes an event each time, GET /users/me and GET /subjects), which keeps both cores busy
and auth's relay and the planner's consumer working. The students' planner rows are deleted
afterwards (their auth rows stay in the bench database).
"""

import asyncio
import json
import statistics
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import count

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from benchmarks.wrk import LoadResult, Request, rotation, run
from planner.seed import remove
from schediora_testkit.devstack import Stack

PROBES = 60
"""Students whose PUTs are timed (one PUT each per run, goals always new)."""
IDLE_SAMPLES = 200
LOAD_USERS = 50
LOAD_CONNECTIONS = 16
LOAD_SECONDS = 30
POLL = 0.002
PASSWORD = "benchmark passphrase that is long"  # noqa: S105 - throwaway accounts
PREFERENCES = {
    "timezone": "America/Los_Angeles",
    "week_starts_on": "sunday",
    "daily_goal_minutes": 120,
    "session_minutes": 50,
    "break_minutes": 10,
    "availability": [{"weekday": d, "start": "18:00", "end": "21:30"} for d in range(7)],
    "preferred_time_of_day": "evening",
}
_GOAL = text("SELECT daily_goal_minutes FROM users WHERE id = :id")


@dataclass(frozen=True)
class Student:
    user_id: str
    headers: dict[str, str]


@dataclass(frozen=True)
class Sample:
    after_answer: float
    after_send: float


def _percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


async def _student(api: httpx.AsyncClient, hashing: asyncio.Semaphore) -> Student:
    email = f"bench-propagation-{uuid.uuid4().hex[:12]}@example.com"
    async with hashing:
        answer = await api.post("/auth/register", json={"email": email, "password": PASSWORD})
    answer.raise_for_status()
    body = answer.json()
    return Student(
        body["user"]["id"], {"Authorization": f"Bearer {body['tokens']['access_token']}"}
    )


async def _probe(
    api: httpx.AsyncClient, planner: AsyncEngine, student: Student, goal: int
) -> Sample:
    """One PUT with a goal the student never had, then read the planner until it has it."""
    async with planner.connect() as connection:
        sent = time.perf_counter()
        answer = await api.put(
            "/users/preferences",
            json=PREFERENCES | {"daily_goal_minutes": goal},
            headers=student.headers,
        )
        answered = time.perf_counter()
        answer.raise_for_status()
        while await connection.scalar(_GOAL, {"id": student.user_id}) != goal:
            if time.perf_counter() - answered > 60:
                raise TimeoutError("the planner did not get the preferences in 60 s")
            await asyncio.sleep(POLL)
            await connection.rollback()  # a fresh snapshot for the next read
        seen = time.perf_counter()
    return Sample(max(seen - answered, 0.0), seen - sent)


async def _probes(
    api: httpx.AsyncClient,
    planner: AsyncEngine,
    probes: list[Student],
    goals: Iterator[int],
    until: "threading.Event | None" = None,
    samples: int = IDLE_SAMPLES,
) -> list[Sample]:
    """PUTs one after another, round the probe students: `samples` of them, or (under load)
    until `until` is set."""
    taken: list[Sample] = []
    while len(taken) < samples if until is None else not until.is_set():
        student = probes[len(taken) % len(probes)]
        taken.append(await _probe(api, planner, student, next(goals)))
    return taken


def _load(api: str, students: list[Student], done: threading.Event) -> LoadResult:
    body = json.dumps(PREFERENCES | {"daily_goal_minutes": 90})
    requests = [
        request
        for student in students
        for request in (
            Request("PUT", f"{api}/users/preferences", student.headers, body),
            Request("GET", f"{api}/users/me", student.headers),
            Request("GET", f"{api}/subjects", student.headers),
        )
    ]
    for request in requests:
        request.headers["Content-Type"] = "application/json"
    try:
        return run(
            f"wrk, {LOAD_CONNECTIONS} connections",
            api,
            connections=LOAD_CONNECTIONS,
            seconds=LOAD_SECONDS,
            lua=rotation(requests),
        )
    finally:
        done.set()


def _row(name: str, samples: list[Sample]) -> str:
    cells = [name, str(len(samples))]
    for part in ("after_answer", "after_send"):
        values = [getattr(sample, part) * 1000 for sample in samples]
        cells += [f"{_percentile(values, q):.0f}" for q in (50, 95, 99)] + [f"{max(values):.0f}"]
    return "| " + " | ".join(cells) + " |"


async def _measure(stack: Stack) -> str:
    planner = create_async_engine(stack.services["planner"].env["DATABASE_URL"], pool_size=2)
    api_url = f"{stack.gateway}/api/v1"
    api = httpx.AsyncClient(base_url=api_url, timeout=60)
    students: list[Student] = []
    try:
        hashing = asyncio.Semaphore(2)  # auth hashes two at a time; more would only queue
        students = list(
            await asyncio.gather(*(_student(api, hashing) for _ in range(PROBES + LOAD_USERS)))
        )
        probes, loaders = students[:PROBES], students[PROBES:]
        # Goals cycle through 15..720 minutes, 60 apart for the same student: each PUT of a
        # probe student changes its goal.
        goals = (15 + n % 706 for n in count())
        await _probes(api, planner, probes, goals, samples=len(probes))  # warm-up, first rows
        idle = await _probes(api, planner, probes, goals)
        done = threading.Event()
        load = asyncio.create_task(asyncio.to_thread(_load, api_url, loaders, done))
        await asyncio.sleep(2)  # let wrk reach its pace
        loaded = await _probes(api, planner, probes, goals, until=done)
        result = await load
    finally:
        await api.aclose()
        if students:
            async with planner.begin() as connection:
                await remove(connection, [uuid.UUID(s.user_id) for s in students])
        await planner.dispose()
    return "\n".join(
        [
            "## Preferences propagation (PUT /users/preferences → the planner has them; "
            "all on the same 2 cores)",
            "",
            "| load | PUTs | after the answer p50 ms | p95 | p99 | max | after sending p50 ms "
            "| p95 | p99 | max |",
            "|---|---|---|---|---|---|---|---|---|---|",
            _row("idle, one PUT at a time", idle),
            _row(f"under load ({result.throughput:,.0f} req/s of wrk beside it)", loaded),
            "",
            f"Load: wrk, {LOAD_CONNECTIONS} connections for {LOAD_SECONDS} s over "
            f"{LOAD_USERS} students, each in turn PUT /users/preferences, GET /users/me, "
            f"GET /subjects: {result.requests:,} requests, p50 {result.p50_ms:.1f} ms, "
            f"p99 {result.p99_ms:.1f} ms, {result.non_2xx_3xx} non-2xx. The planner is read "
            f"every {POLL * 1000:.0f} ms, so a figure is at most that much late; 0 means the "
            "planner had them when the answer arrived.",
        ]
    )


def section(stack: Stack) -> str:
    return asyncio.run(_measure(stack))
