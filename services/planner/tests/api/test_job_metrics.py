"""The planner's job metrics move where the facts happen, once they are committed: a job
queued, completed after the ai started it (with both durations), failed, and timed out by the
deadline worker. Counters are process-global, so each test reads what it added."""

import uuid
from datetime import timedelta

from planner.generation.service import outcomes as jobs
from schediora_runtime.database import transaction
from schediora_testkit.metrics import Deltas

from . import test_jobs
from .job_factories import answer, failed, generated, planned, requests_in_outbox, started
from .plan_factories import NOW, at
from .test_jobs import ask, wait_for

ready = test_jobs.ready  # the fixture: Alice has availability and two subjects


async def test_a_completed_job_counts_its_kind_status_and_durations(
    client,
    alice,
    ready,
    running_app,
    settings,
):
    deltas = Deltas()
    job = await ask(client, alice)
    assert deltas.added("schediora_planner_jobs_created_total", kind="generate") == 1
    (request,) = await requests_in_outbox(running_app, job["id"])
    await answer(running_app, settings, started(request))
    await wait_for(client, alice, job["id"], "running")
    calculus = uuid.UUID(ready["calculus"]["id"])
    # The clock says NOW for the job's creation and its start; the plan is made 2 s later.
    await answer(running_app, settings, generated(request, [planned(calculus, at(23, 17))]))
    await wait_for(client, alice, job["id"], "completed")

    finished = "schediora_planner_jobs_finished_total"
    assert deltas.added(finished, kind="generate", status="completed") == 1
    assert deltas.added(finished, kind="generate", status="failed") == 0
    assert deltas.added("schediora_planner_job_queued_seconds_count", kind="generate") == 1
    assert deltas.added("schediora_planner_job_queued_seconds_sum", kind="generate") == 0
    assert deltas.added("schediora_planner_job_running_seconds_count", kind="generate") == 1
    assert deltas.added("schediora_planner_job_running_seconds_sum", kind="generate") == 2
    # A redelivered outcome changes nothing, and counts nothing.
    await answer(running_app, settings, generated(request, [planned(calculus, at(24, 17))]))
    await answer(running_app, settings, failed(request))
    await wait_for(client, alice, job["id"], "completed")
    assert deltas.added(finished, kind="generate") == 1


async def test_a_failed_and_a_timed_out_job_count_under_their_own_status(
    client,
    alice,
    ready,
    running_app,
    settings,
):
    deltas = Deltas()
    job = await ask(client, alice)
    (request,) = await requests_in_outbox(running_app, job["id"])
    await answer(running_app, settings, failed(request))
    await wait_for(client, alice, job["id"], "failed")
    finished = "schediora_planner_jobs_finished_total"
    assert deltas.added(finished, kind="generate", status="failed") == 1

    # The failed job's outcome stands for its start: its durations are observed.
    assert deltas.added("schediora_planner_job_queued_seconds_count", kind="generate") == 1

    late = await ask(client, alice)
    deltas = Deltas()
    async for session in transaction(running_app.state.runtime.sessionmaker):
        # Every overdue job of the shared test database, other tests' ones too.
        overdue = await jobs.fail_overdue(session, NOW + timedelta(hours=1))
    assert uuid.UUID(late["id"]) in overdue
    assert deltas.added(finished, status="timed_out") == len(overdue)
    assert deltas.added(finished, status="failed") == 0


async def test_a_rolled_back_outcome_counts_nothing(client, alice, ready, running_app):
    deltas = Deltas()
    job = await ask(client, alice)
    async with running_app.state.runtime.sessionmaker() as session, session.begin():
        assert uuid.UUID(job["id"]) in await jobs.fail_overdue(session, NOW + timedelta(hours=1))
        await session.rollback()
    assert deltas.added("schediora_planner_jobs_finished_total") == 0
