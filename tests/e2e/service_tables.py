"""The services' own tables, read as the superuser: what an end-to-end test checks behind the
API (the outboxes carry the exact events that went out), and the checks made on them."""

from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from schediora_contracts import EventEnvelope, PlanGenerated, PlanRequested
from schediora_testkit import testing


def engine(database: str | None = None) -> AsyncEngine:
    """The superuser on the test database (or `database`)."""
    return create_async_engine(testing.database_url(None, database), pool_size=2)


async def rows(db: AsyncEngine, sql: str, **params: Any) -> list[Any]:
    async with db.connect() as connection:
        return list(await connection.execute(text(sql), params))


async def outbox_envelopes(
    db: AsyncEngine, schema: str, event_type: str, job_ids: Iterable[str]
) -> dict[str, list[EventEnvelope]]:
    """Each job's events of one type in a service's outbox, in outbox order."""
    found = await rows(
        db,
        f"SELECT envelope FROM {schema}.outbox WHERE event_type = :type "
        "AND envelope->'payload'->>'job_id' = ANY(:ids) ORDER BY id",
        type=event_type,
        ids=list(job_ids),
    )
    by_job: dict[str, list[EventEnvelope]] = {}
    for (envelope,) in found:
        parsed = EventEnvelope.model_validate(envelope)
        by_job.setdefault(parsed.payload["job_id"], []).append(parsed)
    return by_job


async def plan_request(db: AsyncEngine, job_id: str) -> PlanRequested:
    """The PlanRequested the planner sent for a job, exactly as the ai received it."""
    by_job = await outbox_envelopes(db, "planner", PlanRequested.event_type, [job_id])
    (envelope,) = by_job[job_id]
    return PlanRequested.model_validate(envelope.payload)


async def plan_generated(db: AsyncEngine, job_ids: Iterable[str]) -> dict[str, list[EventEnvelope]]:
    return await outbox_envelopes(db, "ai", PlanGenerated.event_type, job_ids)


async def jobs(db: AsyncEngine, job_ids: Iterable[str]) -> dict[str, Any]:
    found = await rows(
        db,
        "SELECT id::text, status, plan_id::text, error_code FROM planner.ai_jobs "
        "WHERE id = ANY(CAST(:ids AS uuid[]))",
        ids=list(job_ids),
    )
    return {row.id: row for row in found}


async def plans_by_generation(db: AsyncEngine, job_ids: Iterable[str]) -> Counter[str]:
    """How many plans each job's generation id has (one, or none for a failed job)."""
    found = await rows(
        db,
        "SELECT generation_id::text FROM planner.study_plans "
        "WHERE generation_id = ANY(CAST(:ids AS uuid[]))",
        ids=list(job_ids),
    )
    return Counter(generation_id for (generation_id,) in found)


async def sessions_by_generation(db: AsyncEngine, job_ids: Iterable[str]) -> Counter[str]:
    """Sessions stored in each job's plan (as placed by the generation: source ai)."""
    found = await rows(
        db,
        "SELECT p.generation_id::text, count(s.id) FROM planner.study_plans p "
        "JOIN planner.study_sessions s ON s.plan_id = p.id "
        "WHERE p.generation_id = ANY(CAST(:ids AS uuid[])) GROUP BY p.generation_id",
        ids=list(job_ids),
    )
    return Counter(dict(found))


async def generated_sessions(db: AsyncEngine, job_ids: Iterable[str]) -> dict[str, int]:
    """Sessions each job's generation made, as the ai service recorded it."""
    found = await rows(
        db,
        "SELECT id::text, status, jsonb_array_length(sessions) FROM ai.generations "
        "WHERE id = ANY(CAST(:ids AS uuid[]))",
        ids=list(job_ids),
    )
    return {job_id: count for job_id, status, count in found if status == "completed"}


async def processed(db: AsyncEngine, schema: str, event_ids: Iterable[str]) -> Counter[str]:
    """Rows in a service's processed-events inbox for these event ids."""
    found = await rows(
        db,
        f"SELECT event_id::text FROM {schema}.processed_events "
        "WHERE event_id = ANY(CAST(:ids AS uuid[]))",
        ids=list(event_ids),
    )
    return Counter(event_id for (event_id,) in found)


async def count(db: AsyncEngine, sql: str, **params: Any) -> int:
    ((value,),) = await rows(db, sql, **params)
    return int(value)


async def statuses(db: AsyncEngine, job_ids: list[str]) -> Counter[str]:
    return Counter(row.status for row in (await jobs(db, job_ids)).values())


async def snapshot(db: AsyncEngine, job_ids: list[str]) -> list[Any]:
    """Every plan and session of the jobs, and the jobs themselves."""
    sessions = await rows(
        db,
        "SELECT s.id, s.plan_id, s.starts_at, s.ends_at, s.status, s.updated_at, p.status "
        "FROM planner.study_sessions s JOIN planner.study_plans p ON p.id = s.plan_id "
        "WHERE p.generation_id = ANY(CAST(:ids AS uuid[])) ORDER BY s.id",
        ids=job_ids,
    )
    jobs = await rows(
        db,
        "SELECT id, status, plan_id, finished_at, updated_at FROM planner.ai_jobs "
        "WHERE id = ANY(CAST(:ids AS uuid[])) ORDER BY id",
        ids=job_ids,
    )
    return [[tuple(r) for r in sessions], [tuple(r) for r in jobs]]


async def assert_each_job_stored_once(
    db: AsyncEngine, job_ids: list[str]
) -> dict[str, EventEnvelope]:
    """Each job completed with exactly one plan, holding exactly the sessions its one
    PlanGenerated carried; that PlanGenerated applied once. Returns it per job."""
    found = await jobs(db, job_ids)
    assert Counter(job.status for job in found.values()) == {"completed": len(job_ids)}
    plans = await plans_by_generation(db, job_ids)
    assert plans == dict.fromkeys(job_ids, 1)
    generated = await plan_generated(db, job_ids)
    assert {job_id: len(envelopes) for job_id, envelopes in generated.items()} == dict.fromkeys(
        job_ids, 1
    )
    outcomes = {job_id: envelopes[0] for job_id, envelopes in generated.items()}
    carried = {job_id: len(e.payload["sessions"]) for job_id, e in outcomes.items()}
    assert await generated_sessions(db, job_ids) == carried
    assert await sessions_by_generation(db, job_ids) == carried
    applied = await processed(db, "planner", [str(e.event_id) for e in outcomes.values()])
    assert sorted(applied.values()) == [1] * len(job_ids)
    return outcomes


KEPT = {"outbox", "processed_events", "revocations"}
"""Outbox rows and processed event ids (purged after the retention), and the revocation rows
that refuse the deleted user's tokens (gone after a week), are the only rows kept."""


async def rows_of_user(db: AsyncEngine, user_id: str) -> dict[str, int]:
    """Rows naming the user in every table of the three schemas, except `KEPT`."""
    columns = await rows(
        db,
        "SELECT table_schema, table_name, column_name FROM information_schema.columns "
        "WHERE table_schema IN ('auth', 'planner', 'ai') AND data_type = 'uuid' "
        "AND (column_name = 'user_id' OR (table_name = 'users' AND column_name = 'id'))",
    )
    counts: dict[str, int] = {}
    for schema, table, column in columns:
        if table in KEPT:
            continue
        [(count,)] = await rows(
            db, f'SELECT count(*) FROM {schema}."{table}" WHERE "{column}" = :u', u=user_id
        )
        if count:
            counts[f"{schema}.{table}"] = count
    return counts
