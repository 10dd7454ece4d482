"""Crashes, restarts, duplicates and forgeries in the plan flow, and the job deadline: the four
services as processes on the real PostgreSQL and RabbitMQ, faults injected from outside (SIGKILL,
`rabbitmqctl stop_app`/`start_app`, a second planner, hand-made envelopes).

The SIGKILL of the ai mid-work (item 5) has its own module, `test_ai_killed_mid_work.py`, whose
ai asks an LLM stub and which does not restart the broker, so it runs beside the rest.

The generic versions live with the runtime: poison messages (test 8) in
`libs/runtime/tests/integration/test_consumer.py`, the atomic outbox write (test 14) in
`test_outbox.py`, a cut between commit and ack in `test_consumer_reconnect.py`. Here the same
promises are checked on PlanRequested → PlanGenerated with the services' own tables.

Stopping the broker affects the whole machine: pytest runs files one after another, and no other
file of the suite stops RabbitMQ while this one runs. Printed `FIGURES` lines (`pytest -s`) are
the observed counts and times; no time is asserted.
"""

import asyncio
import signal
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text

from ai.scheduling.solver import solve
from schediora_contracts import (
    PlanGenerated,
    PlanGenerationFailed,
    PlanGenerationStarted,
)
from schediora_runtime.messaging.codec import wrap
from schediora_testkit import testing
from schediora_testkit.devstack import ServiceProcess, free_port

from . import process_logs, queues, service_tables
from .isolated import isolated_stack, start
from .students import BATCH, QUICK, enrol, next_week, queue_jobs

RESTARTS_THE_BROKER = True
"""Runs in the main pytest process of `make test`, not beside it (tests/e2e/conftest.py)."""
pytestmark = pytest.mark.e2e

BACKLOG = 200
"""PlanRequested waiting in the ai's queue through the broker restart."""


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """This file's own stack on its own database. Cheap password hashes, so two hundred
    students sign up quickly (the production parameters are auth's tests' business, auth
    README: Passwords). The job deadline is far off: a broker restart first waits for the
    broker lock, which an end-to-end module running beside may hold for minutes, and a job
    failed by its deadline meanwhile is not what these tests are about (the deadline has its
    own test below, on a planner of its own)."""
    env = {
        "PASSWORD_TIME_COST": "1",
        "PASSWORD_MEMORY_KIB": "8",
        "PASSWORD_HASHING_CONCURRENCY": "4",
        "GENERATION_DEADLINE_SECONDS": "3600",
        # Fifty sign-ups at once on a loaded box can keep a service busy past the gateway's
        # usual 5 s; these tests are about faults, not latency.
        "UPSTREAM_TIMEOUT_SECONDS": "30",
    }
    log_dir = tmp_path_factory.mktemp("plan-flow-reliability-logs")
    with isolated_stack(log_dir, "plan_flow_reliability", env) as stack:
        yield stack


@pytest.mark.timeout(1200)  # the broker lock may wait minutes for an end-to-end module beside
async def test_two_hundred_plan_requests_survive_a_broker_restart_while_the_ai_is_stopped(
    stack, api, db
):
    """Item 3: with the ai stopped, 200 students' PlanRequested wait in its queue through
    `stop_app`/`start_app`; the ai then makes all 200: 200/200 completed, one plan and one
    PlanGenerated per job, nothing dead-lettered, every queue empty."""
    students = await enrol(api, BACKLOG, QUICK, subjects=1)
    ai = stack.services["ai"]
    marks = {name: process_logs.mark(stack, name) for name in ("ai", "planner")}
    figures: dict[str, Any] = {}

    ai.stop()
    job_ids = await queue_jobs(students)

    async def backlog():
        found = await queues.depths(stack)
        return found if found["ai"] == (BACKLOG, 0) else None

    figures["ai queue before the restart"] = (
        await testing.eventually(backlog, timeout=60, interval=0.2)
    )["ai"]
    asked = time.monotonic()
    async with testing.broker_stopped():
        stopped = time.monotonic()
    figures["broker lock wait + stop_app"] = f"{stopped - asked:.1f}s"
    figures["start_app until the broker answers"] = f"{time.monotonic() - stopped:.1f}s"
    after_restart = await testing.eventually(backlog, timeout=60, interval=0.2)
    figures["queues after the restart"] = after_restart
    assert after_restart["ai.dlq"] == (0, 0)
    assert await service_tables.statuses(db, job_ids) == {"queued": BACKLOG}

    started = time.monotonic()
    await start(ai)

    await queues.wait_all_completed(stack, db, job_ids, timeout=300)
    figures[f"ai start → {BACKLOG} completed"] = f"{time.monotonic() - started:.1f}s"

    # What the student sees: every job completed, its sessions in /sessions?week=all.
    seen, listed = [], []
    for first in range(0, BACKLOG, BATCH):
        pairs = list(zip(students, job_ids, strict=True))[first : first + BATCH]
        seen += await asyncio.gather(*(s.job(j) for s, j in pairs))
        listed += await asyncio.gather(*(s.call("GET", "/sessions?week=all") for s, _ in pairs))
    assert {job["status"] for job in seen} == {"completed"}
    outcomes = await service_tables.assert_each_job_stored_once(db, job_ids)
    assert len({e.event_id for e in outcomes.values()}) == BACKLOG
    for answer, job in zip(listed, seen, strict=True):
        items = answer.json()["items"]
        assert {s["plan_id"] for s in items} == {job["plan_id"]}
        assert len(items) == len(outcomes[job["id"]].payload["sessions"])

    # The outbox at the level of the flow: one PlanRequested per job, each consumed once.
    requested = await service_tables.outbox_envelopes(
        db, "planner", "planner.plan_requested", job_ids
    )
    assert {job_id: len(e) for job_id, e in requested.items()} == dict.fromkeys(job_ids, 1)
    consumed = await service_tables.processed(
        db, "ai", [str(e[0].event_id) for e in requested.values()]
    )
    assert sorted(consumed.values()) == [1] * BACKLOG
    figures["sessions stored"] = sum(len(e.payload["sessions"]) for e in outcomes.values())
    # Dead-letter queues included: nothing was dead-lettered on the way.
    figures["queues at the end"] = await queues.wait_settled(stack)
    figures["duplicates dropped"] = {
        "ai": process_logs.duplicates_dropped(stack, "ai", "planner.plan_requested", marks["ai"]),
        "planner": process_logs.duplicates_dropped(
            stack, "planner", "ai.plan_generated", marks["planner"]
        ),
    }
    print(f"\nFIGURES broker restart with a backlog of {BACKLOG}: {figures}")


async def test_the_planner_killed_while_storing_plans_stores_each_once_and_replays_change_nothing(
    stack, api, db
):
    """The planner is SIGKILLed while it applies 20 PlanGenerated (whatever it
    committed but had not acked comes back), then all 20 are delivered once more, as a broker
    redelivers after a crash between commit and ack: one plan per job, nothing stored twice."""
    students = await enrol(api, 20, QUICK)
    planner, ai = stack.services["planner"], stack.services["ai"]
    mark = process_logs.mark(stack, "planner")
    ai.stop()
    job_ids = await queue_jobs(students)

    async def requests_waiting():
        found = await queues.depths(stack)
        return found if found["ai"][0] == 20 else None

    # Once the planner's relay has sent the requests, its outcomes pile up while it is down.
    await testing.eventually(requests_waiting, timeout=30, interval=0.2)
    planner.stop()
    await start(ai)

    async def outcomes_waiting() -> bool:
        # Started and Generated of each job, confirmed by the broker: in the planner's queue.
        sent = await service_tables.count(
            db,
            "SELECT count(*) FROM ai.outbox WHERE sent_at IS NOT NULL "
            "AND envelope->'payload'->>'job_id' = ANY(:ids)",
            ids=job_ids,
        )
        return sent == 40

    await testing.eventually(outcomes_waiting, timeout=60, interval=0.2)
    # One job's row is held by the test, so the planner cannot finish the twenty before the
    # kill: the handler of that job's outcome waits on the lock inside its transaction.
    held = job_ids[0]
    holder = await db.connect()
    await holder.begin()
    await holder.execute(
        text("SELECT id FROM planner.ai_jobs WHERE id = :id FOR UPDATE"), {"id": held}
    )
    await start(planner)

    async def some_stored() -> int:
        return (await service_tables.statuses(db, job_ids))["completed"]

    async def a_handler_waits_on_the_held_job() -> bool:
        waiting = await service_tables.count(
            db,
            "SELECT count(*) FROM pg_stat_activity WHERE usename = 'schediora_planner' "
            "AND datname = current_database() AND wait_event_type = 'Lock'",
        )
        return waiting > 0

    await testing.eventually(some_stored, timeout=30, interval=0.01)
    await testing.eventually(a_handler_waits_on_the_held_job, timeout=30, interval=0.01)
    planner.stop(signal.SIGKILL)
    await holder.rollback()
    await holder.close()

    async def killed_planners_sessions_gone() -> bool:
        # A transaction whose COMMIT the killed process had sent still ends; after this the
        # tables hold exactly what the killed planner committed.
        left = await service_tables.count(
            db,
            "SELECT count(*) FROM pg_stat_activity WHERE usename = 'schediora_planner' "
            "AND datname = current_database()",
        )
        return left == 0

    await testing.eventually(killed_planners_sessions_gone, timeout=30, interval=0.05)
    at_kill = await service_tables.statuses(db, job_ids)
    # The kill landed mid-work: some plans were stored, not all, and not the held job's.
    assert 0 < at_kill["completed"] < 20, at_kill
    assert (await service_tables.jobs(db, [held]))[held].status != "completed"
    await start(planner)

    async def all_completed() -> bool:
        return await service_tables.statuses(db, job_ids) == {"completed": 20}

    await testing.eventually(all_completed, timeout=60, interval=0.2)
    outcomes = await service_tables.assert_each_job_stored_once(db, job_ids)
    dropped_after_kill = process_logs.duplicates_dropped(
        stack, "planner", "ai.plan_generated", mark
    )

    # Every PlanGenerated again, byte for byte the envelope the planner already applied.
    before = await service_tables.snapshot(db, job_ids)
    exchange = planner.env["EVENTS_EXCHANGE"]
    await testing.publish(testing.broker_url(), exchange, *outcomes.values())
    await queues.wait_settled(stack)
    assert await service_tables.snapshot(db, job_ids) == before
    await service_tables.assert_each_job_stored_once(db, job_ids)
    dropped = process_logs.duplicates_dropped(stack, "planner", "ai.plan_generated", mark)
    assert dropped - dropped_after_kill == 20
    print(
        f"\nFIGURES planner SIGKILL: {at_kill['completed']}/20 stored at the kill, "
        f"{dropped_after_kill} redelivered duplicates dropped after it; replay of 20: "
        f"{dropped - dropped_after_kill} dropped, 0 rows changed"
    )


def _outcome(request, sessions, *, user_id=None, job_id=None) -> PlanGenerated:
    """A PlanGenerated as the ai would send it for `request` (or a forged variant)."""
    return PlanGenerated(
        job_id=job_id or request.job_id,
        user_id=user_id or request.user_id,
        generation_id=job_id or request.job_id,
        kind=request.kind,
        week_start=request.week_start,
        provider="local",
        model="cp-sat",
        sessions=sessions,
        generated_at=datetime.now(UTC),
    )


async def test_duplicate_and_racing_plan_generated_store_each_plan_once(stack, api, db):
    """Each of 20 PlanGenerated delivered twice, with the same outcome under a
    second event id, to two racing planner processes; then all of them again; then the ai's own
    outcomes, late, under a third: one plan per job, each event id claimed once, nothing
    dead-lettered, no IntegrityError."""
    students = await enrol(api, 20, QUICK)
    planner, ai = stack.services["planner"], stack.services["ai"]
    marks = {name: process_logs.mark(stack, name) for name in ("planner", "twin")}
    ai.stop()
    job_ids = await queue_jobs(students)
    requests = [await service_tables.plan_request(db, job_id) for job_id in job_ids]
    plans = [_outcome(r, solve(r).sessions) for r in requests]
    outcomes = [wrap(plan, producer="ai") for plan in plans]
    # The same outcome under another event id, as a second generation of one job would send.
    second_ids = [wrap(plan, producer="ai") for plan in plans]

    twin_port = free_port()
    twin = ServiceProcess(
        "planner", twin_port, planner.env | {"PORT": str(twin_port)}, stack.log_dir / "twin.log"
    )
    await start(twin)
    try:

        async def two_consumers() -> bool:
            return await queues.consumers_on(stack, "planner") == 2

        await testing.eventually(two_consumers, timeout=30, interval=0.2)
        exchange = planner.env["EVENTS_EXCHANGE"]
        # Back to back, so the two consumers (prefetch 10 each) take copies of one job's
        # outcomes at the same time: the same event id twice, and a second event id.
        racing = [e for trio in zip(outcomes, outcomes, second_ids, strict=True) for e in trio]
        await testing.publish(testing.broker_url(), exchange, *racing)
        # (The ai is down: its queue keeps the requests meanwhile.)
        await queues.wait_settled(stack, "planner", "planner.dlq")
        stored = await service_tables.snapshot(db, job_ids)
        await testing.publish(testing.broker_url(), exchange, *outcomes, *second_ids)
        await queues.wait_settled(stack, "planner", "planner.dlq")
    finally:
        twin.stop()
    assert await service_tables.snapshot(db, job_ids) == stored

    # The ai's own outcomes, late, under a third event id: ignored too.
    await start(ai)

    async def ai_outcomes_applied():
        generated = await service_tables.plan_generated(db, job_ids)
        ids = [str(e.event_id) for envelopes in generated.values() for e in envelopes]
        done = len(ids) == 20 and len(await service_tables.processed(db, "planner", ids)) == 20
        return done and await queues.all_settled(stack)

    await testing.eventually(ai_outcomes_applied, timeout=60, interval=0.5)
    assert await service_tables.snapshot(db, job_ids) == stored

    jobs = await service_tables.jobs(db, job_ids)
    assert Counter(job.status for job in jobs.values()) == {"completed": 20}
    assert await service_tables.plans_by_generation(db, job_ids) == dict.fromkeys(job_ids, 1)
    expected = {
        str(r.job_id): len(e.payload["sessions"]) for r, e in zip(requests, outcomes, strict=True)
    }
    assert await service_tables.sessions_by_generation(db, job_ids) == expected
    inbox = await service_tables.processed(
        db, "planner", [str(e.event_id) for e in [*outcomes, *second_ids]]
    )
    assert sorted(inbox.values()) == [1] * 40  # every event id claimed once, by one process
    errors = [
        line["message"]
        for name in ("planner", "twin")
        for line in process_logs.lines(stack, name, marks[name])
        if line.get("level") in ("ERROR", "CRITICAL") or "IntegrityError" in str(line)
    ]
    assert errors == []
    by_process = {
        name: process_logs.duplicates_dropped(stack, name, "ai.plan_generated", marks[name])
        for name in ("planner", "twin")
    }
    print(f"\nFIGURES 20 jobs x (2 copies + 2nd id) racing, then replayed: dropped {by_process}")


async def test_a_forged_outcome_is_dead_lettered_with_a_security_event_and_stores_nothing(
    stack, api, db
):
    """Outcomes naming another user's job, or no job at all, change nothing,
    go to the planner's dead-letter queue at once and each leave one `security_event` line."""
    alice, bob = await enrol(api, 2, QUICK)
    planner, ai = stack.services["planner"], stack.services["ai"]
    ai.stop()
    alice_job, bob_job = await queue_jobs([alice, bob])
    request = await service_tables.plan_request(db, alice_job)
    sessions = solve(request).sessions
    forged = [
        # Bob's identity on Alice's job, each kind of outcome.
        wrap(_outcome(request, sessions, user_id=uuid.UUID(bob.user_id)), producer="ai"),
        wrap(
            PlanGenerationStarted(
                job_id=request.job_id, user_id=bob.user_id, started_at=datetime.now(UTC)
            ),
            producer="ai",
        ),
        wrap(
            PlanGenerationFailed(
                job_id=request.job_id,
                user_id=bob.user_id,
                code="no_available_time",
                message="forged",
                failed_at=datetime.now(UTC),
            ),
            producer="ai",
        ),
        # A job nobody has.
        wrap(_outcome(request, sessions, job_id=uuid.uuid4()), producer="ai"),
    ]
    await testing.publish(testing.broker_url(), planner.env["EVENTS_EXCHANGE"], *forged)

    async def dead_lettered():
        found = await queues.depths(stack)
        return found if found["planner.dlq"][0] == len(forged) else None

    await testing.eventually(dead_lettered, timeout=30, interval=0.3)
    dead = await queues.drain(queues.queue_names(stack)["planner.dlq"])
    assert sorted(m.message_id for m in dead) == sorted(str(e.event_id) for e in forged)
    assert {m.headers["x-death"][0]["reason"] for m in dead} == {"rejected"}
    assert {m.headers["x-death"][0]["count"] for m in dead} == {1}

    assert await service_tables.statuses(db, [alice_job, bob_job]) == {"queued": 2}
    users = [alice.user_id, bob.user_id]
    stored = await service_tables.count(
        db,
        "SELECT count(*) FROM planner.study_plans WHERE user_id = ANY(CAST(:ids AS uuid[]))",
        ids=users,
    )
    assert stored == 0
    forged_ids = {str(e.event_id) for e in forged}
    assert await service_tables.processed(db, "planner", forged_ids) == Counter()
    security = [
        line
        for line in process_logs.lines(stack, "planner")
        if line.get("security_event") == "message_rejected"
        and any(event_id in line["message"] for event_id in forged_ids)
    ]
    assert len(security) == len(forged)
    assert all(line["level"] == "WARNING" for line in security)

    # The real outcomes still go through.
    await start(ai)
    done = [await s.finished_job(j) for s, j in ((alice, alice_job), (bob, bob_job))]
    assert [job["status"] for job in done] == ["completed", "completed"]
    await queues.wait_settled(stack)
    print(f"\nFIGURES forged: {len(forged)} dead-lettered after 1 delivery, 0 rows, 4 log lines")


async def test_a_job_the_ai_never_answers_fails_with_generation_timeout_and_frees_the_week(
    stack, api, db
):
    """docs/architecture.md, plan flow 4: no job waits forever. With the ai down, a job fails
    with `generation_timeout` at its deadline; the week is free again; the ai, back late, makes
    no plan for the expired request (it says `generation_timeout` too, which changes nothing),
    and a new request completes."""
    (student,) = await enrol(api, 1, QUICK)
    planner, ai = stack.services["planner"], stack.services["ai"]
    ai.stop()
    short = {"GENERATION_DEADLINE_SECONDS": "2", "JOB_SWEEP_INTERVAL_SECONDS": "0.2"}
    planner.stop()
    planner.env.update(short)
    try:
        await start(planner)
        (job_id,) = await queue_jobs([student])
        failed = await student.finished_job(job_id, timeout=30)
    finally:
        planner.stop()
        for key in short:
            planner.env.pop(key)
        await start(planner)
    assert failed["status"] == "failed"
    assert failed["error"]["code"] == "generation_timeout"
    assert failed["plan_id"] is None
    status = (await student.call("GET", f"/ai/plans/status/weekly?week_start={next_week()}")).json()
    assert (status["can_generate"], status["reason"]) == (True, None)
    assert status["latest_job"]["id"] == job_id

    # The ai comes back to the expired request: no plan, its own generation_timeout, which the
    # planner applies to a job already failed: it stays failed, nothing is stored.
    await start(ai)

    async def late_answer_applied() -> list | None:
        late = await service_tables.outbox_envelopes(
            db, "ai", PlanGenerationFailed.event_type, [job_id]
        )
        answers = late.get(job_id, [])
        applied = await service_tables.processed(db, "planner", [str(e.event_id) for e in answers])
        return answers if answers and len(applied) == 1 else None

    late = await testing.eventually(late_answer_applied, timeout=30, interval=0.2)
    assert [e.payload["code"] for e in late] == ["generation_timeout"]
    assert await service_tables.plan_generated(db, [job_id]) == {}
    assert (await student.job(job_id))["status"] == "failed"
    assert await service_tables.plans_by_generation(db, [job_id]) == Counter()

    again = await student.generate(next_week())
    assert again.status_code == 202, again.text
    assert (await student.finished_job(again.json()["id"]))["status"] == "completed"
