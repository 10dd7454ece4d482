"""Fault injection on a generation: the ai SIGKILLs itself at each boundary of its two
transactions (before the first, between it and the provider call, during the call, between the
call and the second, after the second before the ack), a fresh ai takes the redelivered
PlanRequested, and every job ends with exactly one plan: one Started, one PlanGenerated, one
finished generation, one stored plan. The four services run as processes on the real
PostgreSQL and RabbitMQ; the killing ai is the real service started through
`ai_killed_at.py`, which wraps its steps from outside."""

import asyncio
import signal
import sys
from datetime import timedelta

import pytest

from schediora_contracts import PlanGenerated, PlanGenerationStarted
from schediora_testkit import testing

from . import service_tables
from .isolated import isolated_stack
from .killing_ai import KillingAI, kill_group
from .students import Student, next_week, preferences

pytestmark = pytest.mark.e2e

# Whole days for three subjects: a solve takes long enough for a kill to land during it.
BUSY = preferences(daily_goal_minutes=240, session_minutes=45)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    env = {
        "PASSWORD_TIME_COST": "1",
        "PASSWORD_MEMORY_KIB": "8",
        # Two ai processes start per test: on a loaded 2-core box that can outlast the default
        # deadline, and a job failed by its deadline is not what this test is about.
        "GENERATION_DEADLINE_SECONDS": "900",
    }
    log_dir = tmp_path_factory.mktemp("generation-faults-logs")
    with isolated_stack(log_dir, "generation_faults", env, start_timeout=180) as stack:
        yield stack


async def _student(api) -> Student:
    student = await Student.register(api, "faults")
    await student.set_preferences(BUSY)
    exam = next_week() + timedelta(days=4)
    await student.add_subject("Calculus", exam_date=str(exam), difficulty=4)
    await student.add_subject("Biology", difficulty=2)
    await student.add_subject("History", difficulty=3)
    return student


@pytest.mark.timeout(900)  # a loaded 2-core box takes its time starting two ai processes
@pytest.mark.parametrize(
    "boundary", ["before_begin", "after_begin", "during_call", "before_finish", "after_finish"]
)
async def test_a_kill_9_at_each_boundary_of_a_generation_leaves_exactly_one_plan(
    stack, api, db, boundary
):
    ai = stack.services["ai"]
    killer = KillingAI(ai.name, ai.port, ai.env, ai.log_path, python=sys.executable)
    killer.boundary = boundary
    student = await _student(api)

    ai.stop()
    killer.start()
    try:
        job = await student.generate_once_onboarded(next_week(), timeout=120)
        job_id = job["id"]
        # It dies at the boundary, by its own SIGKILL.
        code = await asyncio.to_thread(killer.process.wait, 300)
    finally:
        kill_group(killer.process)  # whatever happened, nothing of it outlives the test
    assert code == -signal.SIGKILL, f"{boundary}: exited {code}"
    generation = await service_tables.rows(
        db, "SELECT status FROM ai.generations WHERE id = CAST(:id AS uuid)", id=job_id
    )
    expected = {
        "before_begin": [],
        "after_begin": ["running"],
        "during_call": ["running"],
        "before_finish": ["running"],
        "after_finish": ["completed"],
    }[boundary]
    assert [status for (status,) in generation] == expected

    # A fresh ai takes the redelivered request.
    ai.start()
    await asyncio.to_thread(ai.wait_live, 180)  # a loaded 2-core box imports slowly

    async def finished():
        found = (await service_tables.jobs(db, [job_id])).get(job_id)
        return found if found is not None and found.status in ("completed", "failed") else None

    await testing.eventually(finished, timeout=300, interval=0.1)
    await service_tables.assert_each_job_stored_once(db, [job_id])
    started = await service_tables.outbox_envelopes(
        db, "ai", PlanGenerationStarted.event_type, [job_id]
    )
    generated = await service_tables.outbox_envelopes(db, "ai", PlanGenerated.event_type, [job_id])
    assert (len(started[job_id]), len(generated[job_id])) == (1, 1)
    rows = await service_tables.rows(
        db,
        "SELECT status, finished_at IS NOT NULL FROM ai.generations WHERE id = CAST(:id AS uuid)",
        id=job_id,
    )
    assert [tuple(row) for row in rows] == [("completed", True)]
    seen = await student.call("GET", f"/ai/jobs/{job_id}")
    assert seen.json()["status"] == "completed"
