"""The planner's job metrics (docs/operations.md): jobs created and finished by kind and final
status, and how long they waited (queued → running) and ran (running → done). Each changes only
once the transaction that holds the fact commits (`after_commit`), so a rolled-back outcome or a
redelivered event that changes nothing is never counted."""

from datetime import datetime

from prometheus_client import Counter, Histogram
from sqlalchemy.ext.asyncio import AsyncSession

from planner.generation.domain import GENERATION_TIMEOUT
from schediora_runtime.metrics import after_commit, non_negative_seconds

JOB_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300)

JOBS_CREATED = Counter("schediora_planner_jobs_created", "AI plan jobs queued, by kind.", ["kind"])
JOBS_FINISHED = Counter(
    "schediora_planner_jobs_finished",
    "AI plan jobs that reached a final status, by kind and status: `completed`, `failed` (the "
    "generator or the planner refused the plan) or `timed_out` (failed with "
    "`generation_timeout` by the deadline worker).",
    ["kind", "status"],
)
JOB_QUEUED_SECONDS = Histogram(
    "schediora_planner_job_queued_seconds",
    "From a job's creation to the ai starting it (jobs the ai started, at their end).",
    ["kind"],
    buckets=JOB_BUCKETS,
)
JOB_RUNNING_SECONDS = Histogram(
    "schediora_planner_job_running_seconds",
    "From the ai starting a job to its final status.",
    ["kind"],
    buckets=JOB_BUCKETS,
)


def job_created(session: AsyncSession, kind: str) -> None:
    after_commit(session, JOBS_CREATED.labels(kind).inc)


def job_finished(
    session: AsyncSession,
    *,
    kind: str,
    status: str,
    error_code: str | None,
    created_at: datetime,
    started_at: datetime | None,
    finished_at: datetime,
) -> None:
    """A job's end: its final status and, when the ai started it, both durations. A job the
    deadline failed before the ai started it has only its (timed-out) status counted."""
    label = "timed_out" if error_code == GENERATION_TIMEOUT else status

    def update() -> None:
        JOBS_FINISHED.labels(kind, label).inc()
        if started_at is not None:
            JOB_QUEUED_SECONDS.labels(kind).observe(non_negative_seconds(created_at, started_at))
            JOB_RUNNING_SECONDS.labels(kind).observe(non_negative_seconds(started_at, finished_at))

    after_commit(session, update)
