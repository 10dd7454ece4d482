"""Plan requests while RabbitMQ is stopped (docs/reliability.md, item 4): the request path only
writes the job and its PlanRequested to the outbox in one transaction, so the planner answers
202 with the broker away, and the relay sends every request once the broker is back.

The broker is really stopped (`rabbitmqctl stop_app`, through `testing.broker_stopped`, which
first waits until no end-to-end stack needs it). The latency of each request is printed as a
`FIGURES` line (`pytest -s`), never asserted.
"""

import statistics
import time

import aio_pika
import pytest
from sqlalchemy import select

from planner.db import outbox
from schediora_contracts import PlanRequested
from schediora_runtime.messaging.codec import decode
from schediora_testkit import testing
from schediora_testkit.tokens import user_with_token

from .factories import create_subject
from .job_factories import GENERATE
from .plan_factories import EVENINGS, set_preferences

pytestmark = pytest.mark.slow

STUDENTS = 20


class RequestTap:
    """A durable queue bound to the planner's PlanRequested on the test's exchange: what the ai
    would receive. Nothing else consumes these here, and an unroutable event is never sent."""

    def __init__(self, settings) -> None:
        self.settings = settings
        self.name = testing.unique_name("plan-requests-tap")

    async def __aenter__(self) -> "RequestTap":
        connection = await aio_pika.connect(self.settings.rabbitmq_url)
        async with connection:
            channel = await connection.channel()
            queue = await channel.declare_queue(self.name, durable=True)
            await queue.bind(self.settings.events_exchange, routing_key="planner.plan_requested.*")
        return self

    async def __aexit__(self, *_) -> None:
        await testing.delete_broker_objects([self.name], [])

    async def take_all(self) -> list[PlanRequested]:
        """Every PlanRequested in the queue now, taken off it."""
        connection = await aio_pika.connect(self.settings.rabbitmq_url)
        async with connection:
            channel = await connection.channel()
            queue = await channel.declare_queue(self.name, passive=True)
            taken = []
            while (message := await queue.get(fail=False, no_ack=True)) is not None:
                _, event = decode(message.body)
                taken.append(event)
            return taken


async def outbox_rows(app, job_ids: list[str]) -> dict[str, list]:
    """Each job's PlanRequested rows in the planner's outbox: (event_id, sent_at)."""
    async with app.state.runtime.sessionmaker() as session:
        found = await session.execute(
            select(outbox.c.envelope, outbox.c.event_id, outbox.c.sent_at).where(
                outbox.c.event_type == PlanRequested.event_type,
                outbox.c.envelope["payload"]["job_id"].astext.in_(job_ids),
            )
        )
    rows: dict[str, list] = {}
    for envelope, event_id, sent_at in found:
        rows.setdefault(envelope["payload"]["job_id"], []).append((event_id, sent_at))
    return rows


@pytest.mark.timeout(900)  # the broker lock may wait minutes for an end-to-end module beside
async def test_plan_requests_during_a_broker_outage_are_accepted_and_relayed_once_it_returns(
    client, signing_key, clock, running_app, settings
):
    """20 students ask for a plan while the broker is stopped: each answer is 202 with a job,
    each job's PlanRequested waits unsent in the outbox; once the broker is back, the relay
    sends all 20, one message per job."""
    students = [user_with_token(signing_key) for _ in range(STUDENTS)]
    for student in students:
        await set_preferences(running_app, student, "Europe/Berlin", "monday", EVENINGS)
        await create_subject(client, student, "Calculus", exam_date="2026-11-28")

    latencies: list[float] = []
    job_ids: list[str] = []
    async with RequestTap(settings) as tap:
        async with testing.broker_stopped():
            for student in students:
                started = time.perf_counter()
                response = await client.post(GENERATE, json={}, headers=student.headers)
                latencies.append(time.perf_counter() - started)
                assert response.status_code == 202, response.text
                assert response.json()["status"] == "queued"
                job_ids.append(response.json()["id"])
            during = await outbox_rows(running_app, job_ids)
            # Still inside the outage: every request is in the outbox, and none went out.
            assert {job_id: len(rows) for job_id, rows in during.items()} == dict.fromkeys(
                job_ids, 1
            )
            assert [sent for rows in during.values() for _, sent in rows] == [None] * STUDENTS

        async def all_sent() -> dict[str, list] | None:
            rows = await outbox_rows(running_app, job_ids)
            sent = [sent_at for found in rows.values() for _, sent_at in found]
            return rows if len(sent) == STUDENTS and None not in sent else None

        back = time.monotonic()
        after = await testing.eventually(all_sent, timeout=60, interval=0.2)
        relayed_in = time.monotonic() - back

        # The relay also sends what other tests left unsent in the shared test database (to
        # this app's exchange): only this test's jobs are counted.
        delivered: list[PlanRequested] = []
        wanted = set(job_ids)

        async def all_delivered() -> bool:
            taken = await tap.take_all()
            delivered.extend(event for event in taken if str(event.job_id) in wanted)
            return len(delivered) >= STUDENTS

        await testing.eventually(all_delivered, timeout=30, interval=0.2)

    assert sorted(str(event.job_id) for event in delivered) == sorted(job_ids)
    assert {str(event.user_id) for event in delivered} == {str(s.id) for s in students}
    # The rows written during the outage are the ones that went out, once each.
    assert {job_id: [event_id for event_id, _ in rows] for job_id, rows in after.items()} == {
        job_id: [event_id for event_id, _ in rows] for job_id, rows in during.items()
    }
    ordered = sorted(latencies)
    print(
        f"\nFIGURES {STUDENTS} plan requests during a broker outage: all 202, "
        f"latency p50 {statistics.median(ordered) * 1000:.0f} ms, "
        f"max {ordered[-1] * 1000:.0f} ms; {STUDENTS} unsent during it, "
        f"all sent {relayed_in:.1f} s after the broker was back, {len(delivered)} delivered"
    )
