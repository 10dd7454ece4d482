"""The ai service's events about a job, applied in whatever order and as often as they arrive
(docs/api.md: AI planning): the first outcome wins, a late Started changes nothing, a duplicate
changes nothing, and the job's times are the ai's. Played over the real broker and database,
one event at a time so that the order is the test's."""

import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from planner.plans.models import StudyPlan
from schediora_contracts.common import CoverageWarning
from schediora_runtime.messaging.codec import wrap
from schediora_testkit import testing

from .factories import create_subject
from .job_factories import (
    GENERATE,
    JOBS,
    failed,
    generated,
    planned,
    requests_in_outbox,
    started,
)
from .plan_factories import EVENINGS, NOW, SESSIONS, at, list_all, set_preferences

STARTED_AT = NOW + timedelta(seconds=1)
GENERATED_AT = NOW + timedelta(seconds=5)


@pytest.fixture
async def request_of(client, alice, clock, running_app):
    """Alice asks for a plan; the PlanRequested the ai would receive, and her subject's id."""
    await set_preferences(running_app, alice, "Europe/Berlin", "monday", EVENINGS)
    calculus = await create_subject(client, alice, "Calculus", exam_date="2026-11-28")
    response = await client.post(GENERATE, json={}, headers=alice.headers)
    assert response.status_code == 202, response.text
    (request,) = await requests_in_outbox(running_app, response.json()["id"])
    return request, uuid.UUID(calculus["id"])


async def deliver(app, settings, *events) -> None:
    """Publish each event as the ai's relay would (a new envelope each) and wait until the
    planner has applied it, one after the other."""
    for event in events:
        await deliver_envelope(app, settings, wrap(event, producer="ai"))


async def deliver_envelope(app, settings, envelope) -> None:
    """Publish one envelope; done when its id is claimed, or for one already claimed (a
    duplicate) when the queue is empty again (it was acked)."""
    table = app.state.runtime.consumer.processed_events

    async def claimed() -> bool:
        async with app.state.runtime.sessionmaker() as session:
            statement = select(func.count()).select_from(table)
            return await session.scalar(statement.where(table.c.event_id == envelope.event_id)) == 1

    async def acked() -> bool:
        return await queue_empty(settings)

    duplicate = await claimed()
    await testing.publish(settings.rabbitmq_url, settings.events_exchange, envelope)
    await testing.eventually(acked if duplicate else claimed)


async def queue_empty(settings) -> bool:
    """No message of the planner's queue is waiting or unacknowledged."""
    return testing.list_queues("messages").get(settings.service_queue, {}).get("messages") == 0


async def job_of(client, user, job_id) -> dict:
    response = await client.get(f"{JOBS}/{job_id}", headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()


def instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def plans_of(app, user_id) -> int:
    async with app.state.runtime.sessionmaker() as session:
        statement = select(func.count()).select_from(StudyPlan)
        return await session.scalar(statement.where(StudyPlan.user_id == user_id))


async def test_started_then_generated_keeps_the_ais_times_and_warnings(
    client, alice, request_of, running_app, settings
):
    request, calculus = request_of
    shortfall = CoverageWarning(subject_id=calculus, needed_minutes=300, planned_minutes=100)
    await deliver(
        running_app, settings, started(request).model_copy(update={"started_at": STARTED_AT})
    )
    running = await job_of(client, alice, request.job_id)
    assert (running["status"], instant(running["started_at"])) == ("running", STARTED_AT)
    assert running["warnings"] == []
    outcome = generated(request, [planned(calculus, at(25, 17))], warnings=(shortfall,))
    await deliver(running_app, settings, outcome.model_copy(update={"generated_at": GENERATED_AT}))
    done = await job_of(client, alice, request.job_id)
    assert done["status"] == "completed"
    assert instant(done["started_at"]) == STARTED_AT  # the ai's clock, not the arrival
    assert instant(done["finished_at"]) == GENERATED_AT
    assert done["warnings"] == [
        {
            "code": "exam_not_covered",
            "subject_id": str(calculus),
            "needed_minutes": 300,
            "planned_minutes": 100,
        }
    ]


async def test_a_plan_that_overtakes_its_started_wins_and_the_late_started_changes_nothing(
    client, alice, request_of, running_app, settings
):
    request, calculus = request_of
    outcome = generated(request, [planned(calculus, at(25, 17))])
    await deliver(running_app, settings, outcome.model_copy(update={"generated_at": GENERATED_AT}))
    done = await job_of(client, alice, request.job_id)
    assert done["status"] == "completed"
    assert instant(done["started_at"]) == instant(done["finished_at"]) == GENERATED_AT
    assert done["warnings"] == []
    await deliver(
        running_app, settings, started(request).model_copy(update={"started_at": STARTED_AT})
    )
    assert await job_of(client, alice, request.job_id) == done
    assert await plans_of(running_app, alice.id) == 1


async def test_a_failure_that_overtakes_its_started_wins_and_the_late_started_changes_nothing(
    client, alice, request_of, running_app, settings
):
    request, _ = request_of
    await deliver(running_app, settings, failed(request))
    done = await job_of(client, alice, request.job_id)
    assert (done["status"], done["error"]["code"]) == ("failed", "no_available_time")
    assert done["started_at"] == done["finished_at"]
    assert done["warnings"] == []
    await deliver(running_app, settings, started(request))
    assert await job_of(client, alice, request.job_id) == done


async def test_duplicates_and_a_second_outcome_change_nothing(
    client, alice, request_of, running_app, settings
):
    request, calculus = request_of
    first_started = wrap(
        started(request).model_copy(update={"started_at": STARTED_AT}), producer="ai"
    )
    plan = wrap(
        generated(request, [planned(calculus, at(25, 17))]).model_copy(
            update={"generated_at": GENERATED_AT}
        ),
        producer="ai",
    )
    await deliver_envelope(running_app, settings, first_started)
    await deliver_envelope(running_app, settings, first_started)  # a redelivery
    running = await job_of(client, alice, request.job_id)
    assert (running["status"], instant(running["started_at"])) == ("running", STARTED_AT)
    await deliver_envelope(running_app, settings, plan)
    done = await job_of(client, alice, request.job_id)
    assert done["status"] == "completed"
    # The same event again, then what an ai that planned twice would send: new ids, other times.
    await deliver_envelope(running_app, settings, plan)
    again = generated(request, [planned(calculus, at(26, 17))]).model_copy(
        update={"generated_at": GENERATED_AT + timedelta(seconds=30)}
    )
    late_started = started(request).model_copy(
        update={"started_at": GENERATED_AT + timedelta(seconds=20)}
    )
    await deliver(running_app, settings, late_started, again, failed(request))
    await testing.eventually(lambda: queue_empty(settings))
    assert await job_of(client, alice, request.job_id) == done
    assert await plans_of(running_app, alice.id) == 1
    sessions = await list_all(client, alice, SESSIONS)
    assert [instant(s["starts_at"]) for s in sessions] == [at(25, 17)]
