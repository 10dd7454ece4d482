"""SIGKILL of the ai while it works through 100 plan requests with an LLM (docs/reliability.md,
item 5): the four services as processes on the real PostgreSQL and RabbitMQ, the ai's `openai`
provider pointed at the fake OpenAI-compatible server (`schediora_testkit.fake_llm`, in this
test's process), which answers every call with a valid calendar after 300 ms and counts the
calls.

The ai takes 10 requests at a time (prefetch 10, 10 generations at once). Once about 30
generations are stored it is killed with SIGKILL and started again. What it had in hand comes
back from the broker: a request whose generation it had committed is dropped as a duplicate, one
it was still asking the LLM about is asked again. So every job completes once, and the LLM is
called at most once more per request in hand at the kill (≤ 110 calls). Printed `FIGURES` lines
(`pytest -s`) are the observed counts and times; no time is asserted.
"""

import signal
import time
from collections import Counter
from typing import Any

import pytest

from schediora_contracts import PlanRequested
from schediora_testkit import fake_llm, testing

from . import process_logs, queues, service_metrics, service_tables
from .isolated import isolated_stack, start
from .students import QUICK, enrol, queue_jobs

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

JOBS = 100
PREFETCH = 10
LLM_SECONDS = 0.3
KILL_AFTER = 30
"""Generations stored before the kill: about 30 acks."""


@pytest.fixture(scope="module")
def stub(llm) -> tuple[str, fake_llm.Script]:
    """An LLM that plans every request well, in 300 ms; its script counts the calls."""
    return llm.script(respond=fake_llm.planning(LLM_SECONDS))


@pytest.fixture(scope="module")
def stack(tmp_path_factory, stub):
    """This file's own stack on its own database, its ai asking the stub. Cheap password
    hashes, so a hundred students sign up quickly (auth's tests cover the real parameters).
    The LLM's timeout is far above its 300 ms, so a slow moment of the box is not a retry; the
    job deadline is far off, so a job never fails while the ai is down."""
    base_url, _ = stub
    env = {
        "PASSWORD_TIME_COST": "1",
        "PASSWORD_MEMORY_KIB": "8",
        "PASSWORD_HASHING_CONCURRENCY": "4",
        "GENERATION_DEADLINE_SECONDS": "3600",
        "AI_PROVIDER": "openai",
        "OPENAI_BASE_URL": base_url,
        "OPENAI_MODEL": "fake-model",
        "OPENAI_TIMEOUT_SECONDS": "30",
        "CONSUMER_PREFETCH": str(PREFETCH),
        "AI_MAX_CONCURRENT_GENERATIONS": str(PREFETCH),
    }
    log_dir = tmp_path_factory.mktemp("ai-killed-mid-work-logs")
    with isolated_stack(log_dir, "ai_killed_mid_work", env) as stack:
        yield stack


async def test_a_hundred_llm_jobs_complete_once_through_a_kill_9_of_the_ai_mid_work(
    stack, stub, api, db
):
    """100 PlanRequested wait for the ai; it is SIGKILLed after about 30 generations and
    started again: 100/100 completed, 100 distinct PlanGenerated, 0 duplicate sessions,
    ≤ 110 LLM calls."""
    _, script = stub
    students = await enrol(api, JOBS, QUICK)
    ai = stack.services["ai"]
    marks = {name: process_logs.mark(stack, name) for name in ("ai", "planner")}
    figures: dict[str, Any] = {}

    # The requests wait in the ai's queue, so the ai starts with a full prefetch.
    ai.stop()
    job_ids = await queue_jobs(students)

    async def backlog():
        found = await queues.depths(stack)
        return found if found["ai"] == (JOBS, 0) else None

    await testing.eventually(backlog, timeout=60, interval=0.2)

    async def generations(status: str) -> int:
        return await service_tables.count(
            db,
            "SELECT count(*) FROM ai.generations "
            "WHERE id = ANY(CAST(:ids AS uuid[])) AND status = :status",
            ids=job_ids,
            status=status,
        )

    async def about_thirty_stored() -> int:
        return done if (done := await generations("completed")) >= KILL_AFTER else 0

    started = time.monotonic()
    await start(ai)
    await testing.eventually(about_thirty_stored, timeout=120, interval=0.02)
    ai.stop(signal.SIGKILL)
    killed = time.monotonic()
    figures["stored at the kill"] = await generations("completed")
    figures["running at the kill"] = await generations("running")
    figures["LLM calls at the kill"] = script.calls
    assert KILL_AFTER <= figures["stored at the kill"] < JOBS
    await start(ai)

    await queues.wait_all_completed(stack, db, job_ids, timeout=180)
    figures[f"SIGKILL → {JOBS} completed"] = f"{time.monotonic() - killed:.1f}s"
    figures[f"ai start → {JOBS} completed"] = f"{time.monotonic() - started:.1f}s"

    # One plan per job from one PlanGenerated, applied once; 100 distinct outcome ids.
    outcomes = await service_tables.assert_each_job_stored_once(db, job_ids)
    assert len({e.event_id for e in outcomes.values()}) == JOBS
    figures["duplicate sessions"] = await service_tables.count(
        db,
        "SELECT count(*) FROM (SELECT 1 FROM planner.study_sessions s "
        "JOIN planner.study_plans p ON p.id = s.plan_id "
        "WHERE p.generation_id = ANY(CAST(:ids AS uuid[])) "
        "GROUP BY s.plan_id, s.starts_at HAVING count(*) > 1) AS d",
        ids=job_ids,
    )
    assert figures["duplicate sessions"] == 0
    # Every plan is the LLM's, not the local fallback's.
    paths = await service_tables.rows(
        db,
        "SELECT provenance->>'path' FROM ai.generations WHERE id = ANY(CAST(:ids AS uuid[]))",
        ids=job_ids,
    )
    assert Counter(path for (path,) in paths) == {"llm": JOBS}

    # The outbox at the level of the flow: one PlanRequested per job, each consumed once.
    requested = await service_tables.outbox_envelopes(
        db, "planner", "planner.plan_requested", job_ids
    )
    assert {job_id: len(e) for job_id, e in requested.items()} == dict.fromkeys(job_ids, 1)
    consumed = await service_tables.processed(
        db, "ai", [str(e[0].event_id) for e in requested.values()]
    )
    assert sorted(consumed.values()) == [1] * JOBS

    figures["queues at the end"] = await queues.wait_settled(stack)
    # The kill landed mid-work: the requests the killed ai held unacknowledged came back to
    # the new one, marked redelivered by the broker (the new process counts from zero).
    counted = await service_metrics.events_counted(ai, "ai", PlanRequested.event_type)
    figures["requests the new ai got redelivered"] = counted.get("redelivered", 0)
    assert 0 < figures["requests the new ai got redelivered"] <= PREFETCH
    figures["LLM calls"] = script.calls
    assert JOBS <= script.calls <= JOBS + PREFETCH
    figures["redelivered and dropped"] = {
        "ai (committed, not acked at the kill)": process_logs.duplicates_dropped(
            stack, "ai", "planner.plan_requested", marks["ai"]
        ),
        "planner": process_logs.duplicates_dropped(
            stack, "planner", "ai.plan_generated", marks["planner"]
        ),
    }
    print(f"\nFIGURES ai SIGKILL mid-work, {JOBS} LLM jobs: {figures}")
