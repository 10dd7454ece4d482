"""A crash loop against the delivery limit, then the operator's replay (docs/reliability.md,
item 12; docs/operations.md, "Dead letters").

The ai holds the same 10 prefetched PlanRequested, unacknowledged and having written nothing,
and is SIGKILLed from outside, again and again. Each kill returns the 10 to the quorum queue
and adds one to their delivery count. With `x-delivery-limit=5`, three kills dead-letter
nothing; the sixth return takes the count past the limit and the broker dead-letters all 10.
Once the cause is gone (a healthy ai), `python -m schediora_runtime.dlq --queue <ai queue>
replay --all` sends them back and all 10 jobs complete, each with exactly one plan.
"""

import asyncio
import json
import subprocess
import sys
from typing import Any

import pytest

from schediora_testkit import testing

from . import queues, service_tables
from .isolated import isolated_stack
from .killing_ai import KillingAI, kill_group
from .students import QUICK, Student, next_week

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

JOBS = 10
DELIVERY_LIMIT = 5


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    env = {
        "PASSWORD_TIME_COST": "1",
        "PASSWORD_MEMORY_KIB": "8",
        "DELIVERY_LIMIT": str(DELIVERY_LIMIT),
        "CONSUMER_PREFETCH": str(JOBS),
        # Seven ai starts on a loaded 2-core box: the jobs' deadline must outlast them, since a
        # job failed by its deadline is not what this test is about.
        "GENERATION_DEADLINE_SECONDS": "1800",
    }
    log_dir = tmp_path_factory.mktemp("crash-loop-logs")
    with isolated_stack(log_dir, "crash_loop", env, start_timeout=180) as stack:
        yield stack


async def _waiting_jobs(api) -> list[str]:
    students = await asyncio.gather(*(Student.register(api, "crashloop") for _ in range(JOBS)))
    await asyncio.gather(*(s.set_preferences(QUICK) for s in students))
    await asyncio.gather(*(s.add_subject("Calculus", difficulty=3) for s in students))
    queued = await asyncio.gather(*(s.generate_once_onboarded(next_week()) for s in students))
    return [job["id"] for job in queued]


async def _depth_is(stack, key: str, depth: tuple[int, int], timeout: float = 120) -> None:
    async def reached():
        found = await queues.depths(stack)
        return found if found[key] == depth else None

    try:
        await testing.eventually(reached, timeout=timeout, interval=0.2)
    except AssertionError:
        raise AssertionError(f"{key} never {depth}: {await queues.depths(stack)}") from None


def _dlq(stack, *args: str) -> subprocess.CompletedProcess:
    """The operator's command, as docs/operations.md gives it, against this stack's ai queue."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "schediora_runtime.dlq",
            "--queue",
            queues.queue_names(stack)["ai"],
            *args,
        ],
        env={"RABBITMQ_URL": testing.broker_url(), "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )


async def _hold_and_kill(stack) -> None:
    """Start an ai that holds every PlanRequested it is given; once the broker shows all 10
    delivered to it and unacknowledged, SIGKILL it (and its solver pool)."""
    ai = stack.services["ai"]
    holder = KillingAI(ai.name, ai.port, ai.env, ai.log_path, python=sys.executable)
    holder.boundary = "hold"
    holder.start()
    try:
        await _depth_is(stack, "ai", (0, JOBS), timeout=240)
    finally:
        await asyncio.to_thread(kill_group, holder.process)


@pytest.mark.timeout(1500)
async def test_a_crash_loop_dead_letters_the_held_batch_after_the_limit_and_a_replay_completes_it(
    stack, api, db
):
    ai = stack.services["ai"]
    ai.stop()
    job_ids = await _waiting_jobs(api)
    await _depth_is(stack, "ai", (JOBS, 0), timeout=60)
    requested = await service_tables.outbox_envelopes(
        db, "planner", "planner.plan_requested", job_ids
    )
    request_ids = sorted(str(envelopes[0].event_id) for envelopes in requested.values())
    figures: dict[str, Any] = {}

    # Three kills: each returns the 10 to the queue with one more delivery counted; none dies.
    for _ in range(3):
        await _hold_and_kill(stack)
        await _depth_is(stack, "ai", (JOBS, 0))
    figures["after 3 kills (ai queue, dlq)"] = (
        (await queues.depths(stack))["ai"],
        (await queues.depths(stack))["ai.dlq"],
    )
    assert (await queues.depths(stack))["ai.dlq"] == (0, 0)
    # The held messages never reached a transaction: nothing written, every job still queued.
    assert await service_tables.statuses(db, job_ids) == {"queued": JOBS}
    made = await service_tables.count(
        db, "SELECT count(*) FROM ai.generations WHERE id = ANY(CAST(:ids AS uuid[]))", ids=job_ids
    )
    assert made == 0

    # Kills four to six: the sixth return takes the count past the limit of five.
    for kill in range(4, 7):
        await _hold_and_kill(stack)
        if kill < 6:
            await _depth_is(stack, "ai", (JOBS, 0))
    await _depth_is(stack, "ai.dlq", (JOBS, 0))
    assert (await queues.depths(stack))["ai"] == (0, 0)
    listed = [json.loads(line) for line in _dlq(stack, "list").stdout.splitlines()]
    assert sorted(entry["message_id"] for entry in listed) == request_ids
    assert {entry["reason"] for entry in listed} == {"delivery_limit"}
    assert {entry["replays"] for entry in listed} == {0}
    figures["after 6 kills: dead letters, reasons"] = (
        len(listed),
        sorted({entry["reason"] for entry in listed}),
    )
    assert await service_tables.statuses(db, job_ids) == {"queued": JOBS}

    # The cause fixed (a healthy ai), the operator replays the dead letters.
    ai.start()
    await asyncio.to_thread(ai.wait_live, 180)
    replayed = json.loads(_dlq(stack, "replay", "--all").stdout)
    assert replayed["count"] == JOBS

    async def all_completed() -> bool:
        return await service_tables.statuses(db, job_ids) == {"completed": JOBS}

    await testing.eventually(all_completed, timeout=300, interval=0.2)
    await service_tables.assert_each_job_stored_once(db, job_ids)
    consumed = await service_tables.processed(db, "ai", request_ids)
    assert sorted(consumed.values()) == [1] * JOBS
    figures["queues at the end"] = await queues.wait_settled(stack)
    print(f"\nFIGURES crash loop, {JOBS} held requests, delivery limit {DELIVERY_LIMIT}: {figures}")
