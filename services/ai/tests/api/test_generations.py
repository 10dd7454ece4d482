"""The ai service turns PlanRequested into a validated plan (docs/architecture.md: The plan flow),
and keeps feedback (docs/api.md: Feedback and generations)."""

import uuid

from sqlalchemy import func, select

from ai.scheduling.validator import validate
from schediora_contracts import PlanGenerated
from schediora_runtime.messaging.codec import wrap
from schediora_testkit import testing

from .requests import plan_request, published

GENERATIONS = "/api/v1/ai/generations"
FEEDBACK = "/api/v1/feedback"


async def send(settings, *requests) -> None:
    envelopes = [wrap(request, producer="planner") for request in requests]
    await testing.publish(settings.rabbitmq_url, settings.events_exchange, *envelopes)


async def outcome(app, job_id, count: int = 2) -> list[tuple[str, dict]]:
    async def arrived():
        events = await published(app, job_id)
        return events if len(events) >= count else None

    return await testing.eventually(arrived)


async def test_a_request_becomes_a_valid_published_plan(running_app, settings, client, alice):
    request = plan_request(alice.id)
    await send(settings, request)
    (started, _), (kind, payload) = await outcome(running_app, request.job_id)
    assert (started, kind) == ("ai.plan_generation_started", "ai.plan_generated")
    plan = PlanGenerated.model_validate(payload)
    assert (plan.user_id, plan.generation_id, plan.provider) == (
        alice.id,
        request.job_id,
        "local",
    )
    assert plan.sessions
    assert validate(request, plan.sessions) == []
    response = await client.get(f"{GENERATIONS}/{request.job_id}", headers=alice.headers)
    assert response.status_code == 200, response.text
    generation = response.json()
    assert (generation["status"], generation["provider"], generation["feedback"]) == (
        "completed",
        "local",
        None,
    )
    assert generation["quality"]
    provenance = generation["provenance"]
    assert (provenance["provider"], provenance["path"], provenance["attempts"]) == (
        "local",
        "local",
        0,
    )


async def test_a_redelivered_or_repeated_request_generates_once(running_app, settings, alice):
    request = plan_request(alice.id)
    envelope = wrap(request, producer="planner")
    again = wrap(request, producer="planner")  # the same job under a new event id
    await testing.publish(
        settings.rabbitmq_url, settings.events_exchange, envelope, envelope, again
    )

    async def consumed():
        table = running_app.state.runtime.consumer.processed_events
        async with running_app.state.runtime.sessionmaker() as session:
            ids = [envelope.event_id, again.event_id]
            statement = select(func.count()).where(table.c.event_id.in_(ids))
            return await session.scalar(statement.select_from(table)) == 2

    await testing.eventually(consumed)
    events = await published(running_app, request.job_id)
    assert [kind for kind, _ in events] == ["ai.plan_generation_started", "ai.plan_generated"]


async def test_no_time_left_fails_the_job_with_a_clear_code(running_app, settings, client, alice):
    request = plan_request(alice.id)
    request = request.model_copy(
        update={"preferences": request.preferences.model_copy(update={"availability": ()})}
    )
    await send(settings, request)
    (_, _), (kind, payload) = await outcome(running_app, request.job_id)
    assert kind == "ai.plan_generation_failed"
    assert payload["code"] == "no_available_time"
    generation = (await client.get(f"{GENERATIONS}/{request.job_id}", headers=alice.headers)).json()
    assert generation["status"] == "failed"


async def test_feedback_once_per_generation_and_only_on_ones_own(
    running_app, settings, client, alice, bob
):
    request = plan_request(alice.id)
    await send(settings, request)
    await outcome(running_app, request.job_id)
    body = {"generation_id": str(request.job_id), "rating": 4, "comments": "Good pace"}
    theirs = await client.post(FEEDBACK, json=body, headers=bob.headers)
    assert (theirs.status_code, theirs.json()["code"]) == (404, "not_found")
    unknown = await client.post(
        FEEDBACK, json=body | {"generation_id": str(uuid.uuid4())}, headers=alice.headers
    )
    assert unknown.status_code == 404
    for invalid in ({"rating": 0}, {"rating": 6}, {"comments": "x" * 2001}, {"extra": 1}):
        response = await client.post(FEEDBACK, json=body | invalid, headers=alice.headers)
        assert (response.status_code, response.json()["code"]) == (422, "validation_error")
    created = await client.post(FEEDBACK, json=body, headers=alice.headers)
    assert created.status_code == 201, created.text
    given = created.json()
    assert set(given) == {"id", "generation_id", "rating", "comments", "adjustments", "created_at"}
    assert given["adjustments"] is None
    twice = await client.post(FEEDBACK, json=body | {"rating": 1}, headers=alice.headers)
    assert (twice.status_code, twice.json()["code"]) == (409, "feedback_exists")
    listed = await client.get(
        FEEDBACK, params={"generation_id": str(request.job_id)}, headers=alice.headers
    )
    assert listed.json() == {"items": [given], "next_cursor": None}
    assert (await client.get(FEEDBACK, headers=bob.headers)).json()["items"] == []
    generation = (await client.get(f"{GENERATIONS}/{request.job_id}", headers=alice.headers)).json()
    assert generation["feedback"] == given
    hidden = await client.get(f"{GENERATIONS}/{request.job_id}", headers=bob.headers)
    assert hidden.status_code == 404


async def test_feedback_sent_with_a_reschedule_is_kept_and_reaches_the_generator(
    running_app, settings, client, alice
):
    first = plan_request(alice.id)
    await send(settings, first)
    await outcome(running_app, first.job_id)
    reschedule = plan_request(
        alice.id,
        kind="reschedule",
        previous_generation_id=first.job_id,
        feedback={"rating": 2, "comments": "too long"},
        not_before=first.requested_at,
    )
    await send(settings, reschedule)
    (_, _), (kind, _) = await outcome(running_app, reschedule.job_id)
    assert kind == "ai.plan_generated"
    generation = (await client.get(f"{GENERATIONS}/{first.job_id}", headers=alice.headers)).json()
    assert (generation["feedback"]["rating"], generation["feedback"]["comments"]) == (
        2,
        "too long",
    )
    stored = (await client.get(f"{GENERATIONS}/{reschedule.job_id}", headers=alice.headers)).json()
    assert stored["kind"] == "reschedule"
