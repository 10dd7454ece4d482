"""PostgreSQL stopped for 20 s while the planner consumes 50 PlanGenerated (docs/reliability.md,
item 10).

The planner runs on a PostgreSQL cluster of this test's own (`schediora_testkit.pgcluster`: the
shared server is never stopped), which is really stopped (`pg_ctl stop -m fast`) and started
again. The outcomes arrive while it is down: the consumer holds them, retrying in place without
spending deliveries, and applies all 50 once it is back. None is dead-lettered, none is lost,
and every ack is a committed row.
"""

import asyncio
import time
import uuid

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import text

from planner.main import create_app
from planner.settings import Settings
from schediora_testkit import testing
from schediora_testkit.pgcluster import private_cluster
from schediora_testkit.tokens import static_verifier, user_with_token

from .factories import create_subject
from .job_factories import answer, generated, planned, requests_in_outbox
from .plan_factories import EVENINGS, at, set_preferences
from .test_jobs import ask, wait_for

pytestmark = pytest.mark.slow

JOBS = 50
OUTAGE_SECONDS = 20
DATABASE = "schediora_outage"


@pytest.fixture(scope="module")
def cluster():
    with private_cluster(DATABASE, ["planner"]) as cluster:
        testing.migrate("planner", "head", url=cluster.database_url("planner", DATABASE))
        yield cluster


@pytest.fixture
def settings(cluster) -> Settings:
    return Settings(
        database_url=cluster.database_url("planner", DATABASE),
        events_exchange=testing.unique_name("exchange"),
        queue_name=testing.unique_name("planner"),
        log_json=False,
        job_sweep_interval_seconds=3600,
    )


@pytest.fixture
async def running_app(settings, signing_key):
    app = create_app(settings, token_verifier=static_verifier(signing_key))
    async with testing.consuming(app, settings):
        yield app


def _events(outcome: str) -> float:
    value = REGISTRY.get_sample_value(
        "schediora_events_total",
        {"service": "planner", "event_type": "ai.plan_generated", "outcome": outcome},
    )
    return value or 0.0


async def _depth(settings) -> tuple[int, int, int]:
    """(ready, unacknowledged) of the planner's queue and the ready count of its DLQ."""
    listed = await asyncio.to_thread(
        testing.list_queues, "messages_ready", "messages_unacknowledged"
    )
    queue = listed.get(settings.service_queue, {})
    dead = listed.get(f"{settings.service_queue}.dlq", {})
    return (
        int(queue.get("messages_ready", -1)),
        int(queue.get("messages_unacknowledged", -1)),
        int(dead.get("messages_ready", -1)),
    )


@pytest.mark.timeout(600)
async def test_fifty_outcomes_consumed_through_a_20_s_postgresql_stop_are_all_stored_once(
    cluster, client, clock, running_app, settings, signing_key
):
    students = [user_with_token(signing_key) for _ in range(JOBS)]
    outcomes = []
    for student in students:
        await set_preferences(running_app, student, "Europe/Berlin", "monday", EVENINGS)
        calculus = await create_subject(client, student, "Calculus")
        job = await ask(client, student)
        (request,) = await requests_in_outbox(running_app, job["id"])
        subject = uuid.UUID(calculus["id"])
        outcomes.append(
            (
                job["id"],
                generated(request, [planned(subject, at(23, 17)), planned(subject, at(24, 18))]),
            )
        )
    applied_before = _events("applied")
    failed_before = _events("failed")

    cluster.stop()
    stopped = time.monotonic()
    await answer(running_app, settings, *(outcome for _, outcome in outcomes))

    # Consumed while the database is down: delivered and held, none dead-lettered or lost.
    async def all_delivered():
        ready, unacked, dead = await _depth(settings)
        return (ready, unacked, dead) if ready + unacked == JOBS and unacked > 0 else None

    during = await testing.eventually(all_delivered, timeout=OUTAGE_SECONDS / 2, interval=0.2)
    await asyncio.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - stopped)))
    at_restart = await _depth(settings)
    assert at_restart[2] == 0
    assert at_restart[0] + at_restart[1] == JOBS
    assert _events("applied") == applied_before
    cluster.start()
    outage = time.monotonic() - stopped

    async def queue_empty():
        found = await _depth(settings)
        return found if found == (0, 0, 0) else None

    await testing.eventually(queue_empty, timeout=120, interval=0.2)
    pairs = zip(students, outcomes, strict=True)
    finished = await asyncio.gather(
        *(wait_for(client, student, job_id, "completed") for student, (job_id, _) in pairs)
    )
    assert {job["status"] for job in finished} == {"completed"}
    async with running_app.state.runtime.engine.connect() as connection:
        claimed = await connection.scalar(
            text("SELECT count(*) FROM planner.processed_events WHERE event_type = :type"),
            {"type": "ai.plan_generated"},
        )
        plans = await connection.scalar(
            text("SELECT count(*) FROM planner.study_plans WHERE generation_id IS NOT NULL")
        )
        sessions = await connection.scalar(
            text(
                "SELECT count(*) FROM planner.study_sessions s JOIN planner.study_plans p "
                "ON p.id = s.plan_id WHERE p.generation_id IS NOT NULL"
            )
        )
    applied = _events("applied") - applied_before
    # Every ack is a committed row, and no handler error spent a delivery.
    assert (claimed, plans, sessions, applied) == (JOBS, JOBS, 2 * JOBS, JOBS)
    assert _events("failed") == failed_before
    print(
        f"\nFIGURES PostgreSQL stopped {outage:.1f}s with {JOBS} PlanGenerated: during the "
        f"outage (ready, unacked, dlq) = {during}, at restart {at_restart}; after: {claimed} "
        f"claimed, {plans} plans, {sessions} sessions, {applied:.0f} acked as applied, 0 DLQ"
    )
