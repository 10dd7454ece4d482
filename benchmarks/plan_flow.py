"""AI plan jobs end to end through the gateway: POST /ai/plans/generate → GET /ai/jobs/{id}
`completed` (the sessions stored), with the local CP-SAT provider.

Each student signs up through auth (production Argon2id, two hashes at a time), sets evening and
weekend availability in Europe/Berlin and adds three subjects, one with an exam, before the
clock starts; each then asks for next week's plan once and polls the job every `POLL` seconds,
as the app does. A closed loop of `CONCURRENCY` students keeps that many jobs in flight: its
rate is the machine's rate of jobs. The client's time includes up to one poll of lag; the
server's time (the job's creation to the start of the planner's transaction that stores the
plan, from the tables) does not. Polling costs the same two cores: at 0.1 s, 20 pollers made
200 GETs a second and the rate fell from about 1,000 to 700 jobs a minute. The students'
planner rows are deleted afterwards (their auth and ai rows stay in the bench database).
"""

import asyncio
import statistics
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from planner.seed import remove
from schediora_testkit.devstack import Stack

CONCURRENCY = 20
JOBS = 200
BASELINE_JOBS = 10
POLL = 0.5
PASSWORD = "benchmark passphrase that is long"  # noqa: S105 - throwaway accounts
PREFERENCES = {
    "timezone": "Europe/Berlin",
    "week_starts_on": "monday",
    "daily_goal_minutes": 150,
    "session_minutes": 50,
    "break_minutes": 10,
    "availability": [{"weekday": d, "start": "18:00", "end": "21:30"} for d in range(5)]
    + [{"weekday": d, "start": "10:00", "end": "16:00"} for d in (5, 6)],
    "preferred_time_of_day": "evening",
}

_SERVER_TIMES = text("""
    SELECT id::text, status,
           extract(epoch FROM started_at - created_at) AS waiting,
           extract(epoch FROM finished_at - started_at) AS generating,
           extract(epoch FROM updated_at - finished_at) AS storing,
           extract(epoch FROM updated_at - created_at) AS total
    FROM ai_jobs WHERE id = ANY(CAST(:ids AS uuid[]))
""")
_SOLVER_MS = text("""
    SELECT (quality->>'solver_ms')::float FROM generations
    WHERE id = ANY(CAST(:ids AS uuid[])) AND status = 'completed'
""")
_ONBOARDED = text("""
    SELECT count(*) FROM users
    WHERE id = ANY(CAST(:ids AS uuid[])) AND preferences_updated_at IS NOT NULL
""")


@dataclass(frozen=True)
class Student:
    user_id: str
    headers: dict[str, str]


@dataclass(frozen=True)
class Run:
    name: str
    client_seconds: list[float]
    job_ids: list[str]
    wall_seconds: float

    @property
    def jobs_per_minute(self) -> float:
        return len(self.job_ids) / self.wall_seconds * 60


def _next_week() -> date:
    today = datetime.now(UTC).date()
    return today - timedelta(days=today.weekday()) + timedelta(days=7)


def _percentile(values: list[float], q: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


async def _student(api: httpx.AsyncClient, hashing: asyncio.Semaphore) -> Student:
    email = f"bench-plan-{uuid.uuid4().hex[:12]}@example.com"
    async with hashing:
        answer = await api.post("/auth/register", json={"email": email, "password": PASSWORD})
    answer.raise_for_status()
    body = answer.json()
    student = Student(
        body["user"]["id"], {"Authorization": f"Bearer {body['tokens']['access_token']}"}
    )
    answer = await api.put("/users/preferences", json=PREFERENCES, headers=student.headers)
    answer.raise_for_status()
    exam = _next_week() + timedelta(days=3)
    for subject in (
        {"name": "Calculus", "exam_date": str(exam), "difficulty": 4},
        {"name": "Biology", "difficulty": 3},
        {"name": "History", "difficulty": 2},
    ):
        (await api.post("/subjects", json=subject, headers=student.headers)).raise_for_status()
    return student


async def _wait_onboarded(planner: AsyncEngine, students: list[Student]) -> None:
    """Until the planner has every student's preferences (auth's event), or a generate would
    answer 422 onboarding_required."""
    ids = [s.user_id for s in students]
    deadline = time.monotonic() + 60
    while True:
        async with planner.connect() as connection:
            if await connection.scalar(_ONBOARDED, {"ids": ids}) == len(ids):
                return
        if time.monotonic() > deadline:
            raise TimeoutError("the planner did not get every student's preferences in 60 s")
        await asyncio.sleep(0.2)


async def _job(api: httpx.AsyncClient, student: Student) -> tuple[str, float]:
    """One job, timed as the app sees it: the POST until a poll answers `completed`."""
    started = time.perf_counter()
    answer = await api.post(
        "/ai/plans/generate", json={"week_start": str(_next_week())}, headers=student.headers
    )
    if answer.status_code != 202:
        raise RuntimeError(f"generate answered {answer.status_code}: {answer.text}")
    job_id = answer.json()["id"]
    while True:
        await asyncio.sleep(POLL)
        job = (await api.get(f"/ai/jobs/{job_id}", headers=student.headers)).json()
        if job["status"] == "completed":
            return job_id, time.perf_counter() - started
        if job["status"] == "failed":
            raise RuntimeError(f"job {job_id} failed: {job['error']}")


async def _closed_loop(
    api: httpx.AsyncClient, name: str, students: list[Student], concurrency: int
) -> Run:
    """`concurrency` clients, each asking for the next student's plan as soon as its last
    job completed."""
    waiting = iter(students)
    done: list[tuple[str, float]] = []

    async def client() -> None:
        for student in waiting:
            done.append(await _job(api, student))

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    wall = time.perf_counter() - started
    return Run(name, [seconds for _, seconds in done], [job_id for job_id, _ in done], wall)


async def _server_times(planner: AsyncEngine, ai: AsyncEngine, run: Run) -> dict[str, Any]:
    async with planner.connect() as connection:
        rows = list(await connection.execute(_SERVER_TIMES, {"ids": run.job_ids}))
    async with ai.connect() as connection:
        found = await connection.scalars(_SOLVER_MS, {"ids": run.job_ids})
        solver = [float(ms) for ms in found if ms is not None]  # an LLM's plan has none
    if len(rows) != len(run.job_ids) or {row.status for row in rows} != {"completed"}:
        raise RuntimeError(f"{run.name}: not every job is completed in the planner")
    return {
        part: [float(getattr(row, part)) for row in rows]
        for part in ("waiting", "generating", "storing", "total")
    } | {"solver": [ms / 1000 for ms in solver]}


def _row(run: Run, server: dict[str, list[float]]) -> str:
    cells = [run.name, str(len(run.job_ids))]
    for values in (run.client_seconds, server["total"]):
        cells += [f"{_percentile(values, 50):.2f}", f"{_percentile(values, 95):.2f}"]
    cells.append(f"{run.jobs_per_minute:,.0f}")
    return "| " + " | ".join(cells) + " |"


def _parts(run: Run, server: dict[str, list[float]]) -> str:
    names = {
        "waiting": "created → started: job created → `running` committed by the ai (relay, "
        "queue, a free generation slot)",
        "generating": "started → generated: the plan made (solver pool, validation, warnings)",
        "solver": "of which the CP-SAT solve",
        "storing": "generated → stored: the ai's outcome transaction, relay, queue, planner's "
        "transaction begun",
    }
    return "\n".join(
        f"| {run.name} | {label} | {_percentile(server[part], 50) * 1000:.0f} | "
        f"{_percentile(server[part], 95) * 1000:.0f} |"
        for part, label in names.items()
    )


async def _measure(stack: Stack) -> str:
    planner = create_async_engine(stack.services["planner"].env["DATABASE_URL"])
    ai = create_async_engine(stack.services["ai"].env["DATABASE_URL"])
    api = httpx.AsyncClient(base_url=f"{stack.gateway}/api/v1", timeout=60)
    students: list[Student] = []
    try:
        hashing = asyncio.Semaphore(2)  # auth hashes two at a time; more would only queue
        students = list(
            await asyncio.gather(*(_student(api, hashing) for _ in range(BASELINE_JOBS + 1 + JOBS)))
        )
        await _wait_onboarded(planner, students)
        await _job(api, students[0])  # warm-up: first connections, first solver import
        baseline, loaded = students[1 : BASELINE_JOBS + 1], students[BASELINE_JOBS + 1 :]
        runs = [
            await _closed_loop(api, "1 student at a time", baseline, 1),
            await _closed_loop(api, f"{CONCURRENCY} students at once", loaded, CONCURRENCY),
        ]
        timed = [(run, await _server_times(planner, ai, run)) for run in runs]
    finally:
        await api.aclose()
        if students:
            async with planner.begin() as connection:
                await remove(connection, [uuid.UUID(s.user_id) for s in students])
        await planner.dispose()
        await ai.dispose()
    return "\n".join(
        [
            f"## AI plan jobs end to end (POST generate → job completed; polled every {POLL} s; "
            "all on the same 2 cores)",
            "",
            "| load | jobs | client p50 s | client p95 s | server p50 s | server p95 s "
            "| jobs/min |",
            "|---|---|---|---|---|---|---|",
            *(_row(run, server) for run, server in timed),
            "",
            "| load | part of a job (server) | p50 ms | p95 ms |",
            "|---|---|---|---|",
            *(_parts(run, server) for run, server in timed),
            "",
            "Each plan: 3 subjects, 7 windows (weekday evenings, weekend days), Europe/Berlin. "
            "Client time: the POST until a poll sees `completed`; server time: the job's "
            "created_at until the planner's transaction that stored the plan began.",
        ]
    )


def section(stack: Stack) -> str:
    return asyncio.run(_measure(stack))
