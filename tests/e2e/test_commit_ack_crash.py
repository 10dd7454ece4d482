"""The planner dies between its database commit and the ack, for 20 PlanGenerated at once
(docs/reliability.md, item 6).

`planner_killed_at.py` is the real planner with a hook around the consumer: each PlanGenerated
is applied and committed as usual, then held unacknowledged, and the process SIGKILLs itself
when the 20th has committed. So the crash lands, deterministically, after every commit and
before every ack. A fresh planner then gets all 20 again, marked redelivered by the broker, and
drops each as a duplicate: the sessions are unchanged, each event id is in the inbox once, and
the queue is empty.
"""

import asyncio
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from schediora_contracts import PlanGenerated
from schediora_testkit import testing
from schediora_testkit.devstack import ServiceProcess

from . import process_logs, queues, service_metrics, service_tables
from .isolated import isolated_stack
from .students import QUICK, Student, next_week

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

JOBS = 20
HOOK = Path(__file__).with_name("planner_killed_at.py")


class KillingPlanner(ServiceProcess):
    """The stack's planner, started to die between commit and ack of `JOBS` PlanGenerated."""

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [self.python, str(HOOK), PlanGenerated.event_type, str(JOBS)],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    env = {
        "PASSWORD_TIME_COST": "1",
        "PASSWORD_MEMORY_KIB": "8",
        # Room for the 20 held PlanGenerated and the Started messages around them.
        "CONSUMER_PREFETCH": str(2 * JOBS),
        "GENERATION_DEADLINE_SECONDS": "900",
    }
    log_dir = tmp_path_factory.mktemp("commit-ack-crash-logs")
    with isolated_stack(log_dir, "commit_ack_crash", env, start_timeout=180) as stack:
        yield stack


async def _sessions(db) -> int:
    return await service_tables.count(db, "SELECT count(*) FROM planner.study_sessions")


@pytest.mark.timeout(900)
async def test_a_crash_after_the_commit_and_before_the_ack_of_20_changes_nothing_on_redelivery(
    stack, api, db
):
    planner, ai = stack.services["planner"], stack.services["ai"]
    students = await asyncio.gather(*(Student.register(api, "commitack") for _ in range(JOBS)))
    await asyncio.gather(*(s.set_preferences(QUICK) for s in students))
    await asyncio.gather(*(s.add_subject("Calculus", difficulty=3) for s in students))
    ai.stop()
    queued = await asyncio.gather(*(s.generate_once_onboarded(next_week()) for s in students))
    job_ids = [job["id"] for job in queued]

    async def requests_waiting():
        found = await queues.depths(stack)
        return found if found["ai"] == (JOBS, 0) else None

    await testing.eventually(requests_waiting, timeout=60, interval=0.2)
    # The planner is down while the ai answers: every outcome waits in the planner's queue.
    planner.stop()
    ai.start()
    await asyncio.to_thread(ai.wait_live, 180)

    async def outcomes_waiting():
        found = await queues.depths(stack)
        return found if found["planner"] == (2 * JOBS, 0) else None  # Started + Generated

    await testing.eventually(outcomes_waiting, timeout=120, interval=0.2)
    sessions_before = await _sessions(db)

    killer = KillingPlanner(
        planner.name, planner.port, planner.env, planner.log_path, python=sys.executable
    )
    killer.start()
    try:
        code = await asyncio.to_thread(killer.process.wait, 300)
    finally:
        if killer.process.poll() is None:
            killer.stop(signal.SIGKILL)
    # It died by its own hook, which fires only once the 20th PlanGenerated has committed.
    assert code == -signal.SIGKILL, f"exited {code}: {process_logs.lines(stack, 'planner')[-5:]}"

    # Mid-work: every plan is committed, every PlanGenerated is back in the queue unacked
    # (the Started messages were acked as usual).
    assert await service_tables.statuses(db, job_ids) == {"completed": JOBS}
    generated = await service_tables.plan_generated(db, job_ids)
    generated_ids = [str(e.event_id) for envelopes in generated.values() for e in envelopes]
    assert len(generated_ids) == JOBS
    assert (
        sorted((await service_tables.processed(db, "planner", generated_ids)).values())
        == [1] * JOBS
    )

    async def returned():
        found = await queues.depths(stack)
        return found if found["planner"] == (JOBS, 0) else None

    at_crash = await testing.eventually(returned, timeout=60, interval=0.2)
    sessions_at_crash = await _sessions(db)
    assert sessions_at_crash > sessions_before
    outcomes = await service_tables.assert_each_job_stored_once(db, job_ids)
    assert sessions_at_crash - sessions_before == sum(
        len(e.payload["sessions"]) for e in outcomes.values()
    )

    # A fresh planner: 20 redeliveries, each a duplicate the inbox drops.
    mark = process_logs.mark(stack, "planner")
    planner.start()
    await asyncio.to_thread(planner.wait_live, 180)
    settled = await queues.wait_settled(stack, "planner", "planner.dlq", timeout=120)
    counted = await service_metrics.events_counted(planner, "planner", PlanGenerated.event_type)
    assert counted.get("redelivered") == JOBS
    assert counted.get("duplicate") == JOBS
    assert counted.get("applied", 0) == 0
    assert process_logs.duplicates_dropped(stack, "planner", PlanGenerated.event_type, mark) == JOBS
    assert await _sessions(db) == sessions_at_crash
    assert (
        sorted((await service_tables.processed(db, "planner", generated_ids)).values())
        == [1] * JOBS
    )
    await service_tables.assert_each_job_stored_once(db, job_ids)
    print(
        f"\nFIGURES commit/ack crash: {JOBS} committed and unacked at the kill, planner queue "
        f"{at_crash['planner']} after it; restart: {counted}; sessions {sessions_at_crash} "
        f"unchanged; queues {settled}"
    )
