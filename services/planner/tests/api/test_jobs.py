"""AI planning API, planner side (docs/api.md: AI planning): generate, reschedule, weekly status
and jobs; the ai service's outcomes are played by the test over the real broker."""

import asyncio
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from planner.generation.service import outcomes as jobs
from planner.plans.models import PLAN_GENERATION_KEY, SESSION_START_KEY, StudySession
from schediora_contracts import PlanGenerated
from schediora_runtime.database import transaction
from schediora_runtime.messaging.codec import wrap
from schediora_testkit import testing

from .factories import create_subject
from .job_factories import (
    GENERATE,
    JOBS,
    RESCHEDULE,
    WEEKLY,
    answer,
    failed,
    generated,
    planned,
    requests_in_outbox,
    started,
)
from .plan_factories import (
    EVENINGS,
    NOW,
    SESSIONS,
    at,
    create_plan,
    list_all,
    patch_session,
    set_preferences,
    slot,
)
from .test_subjects import assert_problem

JOB_FIELDS = {
    "id",
    "kind",
    "status",
    "week_start",
    "plan_id",
    "error",
    "feedback",
    "warnings",
    "created_at",
    "started_at",
    "finished_at",
}


@pytest.fixture
async def ready(client, alice, clock, running_app) -> dict:
    """Alice has availability and two subjects: she can ask for a plan."""
    await set_preferences(running_app, alice, "Europe/Berlin", "monday", EVENINGS)
    calculus = await create_subject(client, alice, "Calculus", exam_date="2026-11-28")
    biology = await create_subject(client, alice, "Biology", difficulty=5)
    return {"calculus": calculus, "biology": biology}


async def job_of(client, user, job_id: str) -> dict:
    response = await client.get(f"{JOBS}/{job_id}", headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def wait_for(client, user, job_id: str, status: str) -> dict:
    async def reached():
        job = await job_of(client, user, job_id)
        return job if job["status"] == status else None

    return await testing.eventually(reached)


async def ask(client, user, **body) -> dict:
    response = await client.post(GENERATE, json=body, headers=user.headers)
    assert response.status_code == 202, response.text
    assert response.headers["Location"] == f"/api/v1/ai/jobs/{response.json()['id']}"
    return response.json()


async def test_a_generate_request_queues_a_job_and_its_plan_request(
    client, alice, ready, running_app
):
    job = await ask(client, alice, notes="Focus on calculus")
    assert set(job) == JOB_FIELDS
    assert (job["kind"], job["status"], job["week_start"]) == ("generate", "queued", "2026-11-23")
    assert job["plan_id"] is job["error"] is job["started_at"] is None
    (request,) = await requests_in_outbox(running_app, job["id"])
    assert request.user_id == alice.id
    assert (str(request.week_start), str(request.week_end)) == ("2026-11-23", "2026-11-29")
    assert request.timezone == "Europe/Berlin"
    assert request.preferences.availability[0].start == "18:00"
    assert {s.name for s in request.subjects} == {"Calculus", "Biology"}
    assert str(request.subjects[0].exam_date) == "2026-11-28"
    assert request.notes == "Focus on calculus"
    assert request.requested_at == request.not_before == NOW
    # The ai is told when the planner will fail the job, so it neither begins nor asks the LLM
    # past it.
    assert request.deadline_at == NOW + timedelta(
        seconds=running_app.state.settings.generation_deadline_seconds
    )
    assert await job_of(client, alice, job["id"]) == job


async def test_the_next_week_is_allowed_and_any_other_is_a_422(client, alice, ready):
    assert (await ask(client, alice, week_start="2026-11-30"))["week_start"] == "2026-11-30"
    for week_start in ("2026-11-16", "2026-12-07", "2026-11-24"):
        response = await client.post(
            GENERATE, json={"week_start": week_start}, headers=alice.headers
        )
        body = assert_problem(response, 422, "validation_error")
        assert body["errors"][0]["loc"] == ["body", "week_start"]


async def test_chosen_subjects_only_and_never_someone_elses(client, alice, bob, ready, running_app):
    job = await ask(client, alice, subject_ids=[ready["biology"]["id"]])
    (request,) = await requests_in_outbox(running_app, job["id"])
    assert [s.name for s in request.subjects] == ["Biology"]
    theirs = await create_subject(client, bob, "Bob's subject")
    response = await client.post(
        GENERATE,
        json={"week_start": "2026-11-30", "subject_ids": [theirs["id"]]},
        headers=alice.headers,
    )
    assert assert_problem(response, 422, "validation_error")["errors"][0]["loc"] == [
        "body",
        "subject_ids",
    ]


async def test_without_availability_or_subjects_generation_is_refused(
    client, alice, bob, clock, running_app
):
    await create_subject(client, alice, "Calculus")
    assert_problem(
        await client.post(GENERATE, json={}, headers=alice.headers), 422, "onboarding_required"
    )
    await set_preferences(running_app, alice, "UTC", "monday", availability=())
    assert_problem(
        await client.post(GENERATE, json={}, headers=alice.headers), 422, "onboarding_required"
    )
    await set_preferences(running_app, bob, "UTC", "monday", EVENINGS)
    assert_problem(await client.post(GENERATE, json={}, headers=bob.headers), 422, "no_subjects")


async def test_before_the_preferences_arrive_a_sunday_week_is_onboarding_required_not_a_week_error(
    client, alice, clock, running_app
):
    """The onboarding race: a student with Sunday weeks asks for a plan before auth's event
    reached the planner. The planner's fallback calendar (Monday weeks) must not judge the week:
    the answer is `onboarding_required`, retryable, and once the event is in the same request
    is queued."""
    await create_subject(client, alice, "Calculus")
    sunday = {"week_start": "2026-11-22"}  # NOW's week, from Sunday (a Monday week: the 23rd)
    for reschedule_or_generate in (RESCHEDULE, GENERATE):
        response = await client.post(
            reschedule_or_generate,
            json=sunday if reschedule_or_generate == GENERATE else {},
            headers=alice.headers,
        )
        body = assert_problem(response, 422, "onboarding_required")
        assert body["preferences_received"] is False
        assert response.headers["Retry-After"] == "1"
    await set_preferences(running_app, alice, "America/New_York", "sunday")
    response = await client.post(GENERATE, json=sunday, headers=alice.headers)
    assert assert_problem(response, 422, "onboarding_required")["preferences_received"] is True
    await set_preferences(running_app, alice, "America/New_York", "sunday", EVENINGS)
    response = await client.post(GENERATE, json=sunday, headers=alice.headers)
    assert response.status_code == 202, response.text
    assert response.json()["week_start"] == "2026-11-22"


async def test_unknown_fields_and_long_notes_are_a_422(client, alice, ready):
    for body in ({"notes": "x" * 1001}, {"week": "next"}, {"subject_ids": ["nope"]}):
        response = await client.post(GENERATE, json=body, headers=alice.headers)
        assert_problem(response, 422, "validation_error")


async def test_one_job_in_flight_per_week_and_an_active_plan_closes_the_week(client, alice, ready):
    job = await ask(client, alice)
    response = await client.post(GENERATE, json={}, headers=alice.headers)
    assert assert_problem(response, 409, "generation_in_progress")["job_id"] == job["id"]
    await create_plan(client, alice, week_start="2026-11-30")
    response = await client.post(GENERATE, json={"week_start": "2026-11-30"}, headers=alice.headers)
    assert_problem(response, 409, "weekly_plan_exists")


async def test_twenty_concurrent_generate_requests_make_exactly_one_job(
    client, alice, ready, running_app
):
    responses = await asyncio.gather(
        *(client.post(GENERATE, json={}, headers=alice.headers) for _ in range(20))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [202] + [409] * 19
    for response in responses:
        if response.status_code == 409:
            assert response.json()["code"] == "generation_in_progress"
    (accepted,) = [r.json() for r in responses if r.status_code == 202]
    assert len(await requests_in_outbox(running_app, accepted["id"])) == 1


async def test_an_idempotency_key_returns_the_same_job_for_a_retry(
    client, alice, ready, running_app
):
    headers = {**alice.headers, "Idempotency-Key": "retry-1"}
    first = await client.post(GENERATE, json={}, headers=headers)
    again = await asyncio.gather(
        *(client.post(GENERATE, json={}, headers=headers) for _ in range(5))
    )
    assert first.status_code == 202
    assert {r.status_code for r in again} == {202}
    assert {r.json()["id"] for r in again} == {first.json()["id"]}
    assert len(await requests_in_outbox(running_app, first.json()["id"])) == 1
    bad = await client.post(GENERATE, json={}, headers={**alice.headers, "Idempotency-Key": ""})
    assert_problem(bad, 422, "validation_error")


async def test_the_pipeline_outcome_is_stored_and_the_job_completes(
    client, alice, ready, running_app, settings
):
    job = await ask(client, alice)
    (request,) = await requests_in_outbox(running_app, job["id"])
    await answer(running_app, settings, started(request))
    running = await wait_for(client, alice, job["id"], "running")
    assert running["started_at"] is not None
    calculus = uuid.UUID(ready["calculus"]["id"])
    sessions = [planned(calculus, at(23, 17)), planned(calculus, at(24, 17), 40)]
    await answer(running_app, settings, generated(request, sessions))
    done = await wait_for(client, alice, job["id"], "completed")
    assert done["plan_id"] is not None
    assert done["finished_at"] is not None
    listed = await list_all(client, alice, SESSIONS)
    assert [(s["source"], s["duration_minutes"], s["rationale"]) for s in listed] == [
        ("ai", 50, "Calculus exam in 3 days"),
        ("ai", 40, "Calculus exam in 3 days"),
    ]
    plan = (await client.get(f"/api/v1/plans/{done['plan_id']}", headers=alice.headers)).json()
    assert (plan["source"], plan["generation_id"]) == ("ai", job["id"])
    status = (await client.get(WEEKLY, headers=alice.headers)).json()
    assert status["can_generate"] is False
    assert (status["reason"], status["current_plan_id"]) == ("weekly_plan_exists", plan["id"])
    assert status["latest_job"]["id"] == job["id"]


async def test_a_failed_job_frees_the_week(client, alice, ready, running_app, settings):
    job = await ask(client, alice)
    (request,) = await requests_in_outbox(running_app, job["id"])
    await answer(running_app, settings, failed(request))
    done = await wait_for(client, alice, job["id"], "failed")
    assert done["error"] == {"code": "no_available_time", "message": "Nothing fits."}
    status = (await client.get(WEEKLY, headers=alice.headers)).json()
    assert (status["can_generate"], status["reason"]) == (True, None)
    assert (await ask(client, alice))["id"] != job["id"]


async def test_a_week_taken_meanwhile_fails_the_job_and_stores_nothing(
    client, alice, ready, running_app, settings
):
    job = await ask(client, alice)
    (request,) = await requests_in_outbox(running_app, job["id"])
    manual = await create_plan(client, alice, sessions=[slot(25, 9)])
    calculus = uuid.UUID(ready["calculus"]["id"])
    await answer(running_app, settings, generated(request, [planned(calculus, at(23, 17))]))
    done = await wait_for(client, alice, job["id"], "failed")
    assert done["error"]["code"] == "weekly_plan_exists"
    assert [s["plan_id"] for s in await list_all(client, alice, SESSIONS)] == [manual["id"]]


async def _count_sessions(app, user_id) -> int:
    async with app.state.runtime.sessionmaker() as session:
        statement = select(func.count()).where(StudySession.user_id == user_id)
        return await session.scalar(statement.select_from(StudySession))


async def test_a_forged_or_unknown_outcome_goes_to_the_dlq_and_stores_nothing(
    client, alice, bob, ready, running_app, settings
):
    job = await ask(client, alice)
    (request,) = await requests_in_outbox(running_app, job["id"])
    calculus = uuid.UUID(ready["calculus"]["id"])
    forged = generated(request, [planned(calculus, at(23, 17))], user_id=bob.id)
    unknown = generated(
        request.model_copy(update={"job_id": uuid.uuid4()}), [planned(calculus, at(24, 17))]
    )
    await answer(running_app, settings, forged, unknown)

    async def dead_lettered():
        depth = testing.list_queues("messages").get(f"{settings.service_queue}.dlq", {})
        return depth.get("messages") == 2

    await testing.eventually(dead_lettered)
    assert (await job_of(client, alice, job["id"]))["status"] == "queued"
    assert await _count_sessions(running_app, alice.id) == 0
    assert await _count_sessions(running_app, bob.id) == 0


async def test_a_job_past_its_deadline_fails_and_a_late_plan_is_ignored(
    client, alice, ready, running_app, settings
):
    job = await ask(client, alice)
    (request,) = await requests_in_outbox(running_app, job["id"])
    async for session in transaction(running_app.state.runtime.sessionmaker):
        assert uuid.UUID(job["id"]) not in await jobs.fail_overdue(
            session, NOW + timedelta(seconds=119)
        )
    async for session in transaction(running_app.state.runtime.sessionmaker):
        assert uuid.UUID(job["id"]) in await jobs.fail_overdue(
            session, NOW + timedelta(seconds=121)
        )
    done = await job_of(client, alice, job["id"])
    assert (done["status"], done["error"]["code"]) == ("failed", "generation_timeout")
    calculus = uuid.UUID(ready["calculus"]["id"])
    late = generated(request, [planned(calculus, at(23, 17))])
    await answer(running_app, settings, late)

    async def consumed():
        table = running_app.state.runtime.consumer.processed_events
        async with running_app.state.runtime.sessionmaker() as session:
            return await session.scalar(
                select(func.count()).select_from(table).where(table.c.event_id.isnot(None))
            )

    await testing.eventually(consumed)
    await asyncio.sleep(0.3)
    assert (await job_of(client, alice, job["id"]))["status"] == "failed"
    assert await _count_sessions(running_app, alice.id) == 0


async def test_reschedule_keeps_done_work_and_supersedes_the_plan(
    client, alice, ready, running_app, settings, clock
):
    calculus = ready["calculus"]["id"]
    plan = await create_plan(
        client,
        alice,
        sessions=[
            slot(23, 18, subject_id=calculus),
            slot(24, 18, subject_id=calculus),
            slot(25, 18, subject_id=calculus),
            slot(26, 18, subject_id=calculus),
        ],
    )
    done, working, skipped, later = plan["sessions"]
    await patch_session(client, alice, done["id"], status="completed")
    await patch_session(client, alice, working["id"], status="in_progress")
    await patch_session(client, alice, skipped["id"], status="skipped")
    response = await client.post(
        RESCHEDULE,
        json={"notes": "less", "feedback": {"rating": 2, "comments": "too long"}},
        headers=alice.headers,
    )
    assert response.status_code == 202, response.text
    job = response.json()
    assert job["kind"] == "reschedule"
    (request,) = await requests_in_outbox(running_app, job["id"])
    assert {str(s.session_id) for s in request.keep_sessions} == {done["id"], working["id"]}
    assert len(request.previous_sessions) == 4
    assert (str(request.previous_plan_id), request.not_before) == (plan["id"], NOW)
    assert (request.feedback.rating, request.feedback.comments) == (2, "too long")
    again = await client.post(RESCHEDULE, json={}, headers=alice.headers)
    assert_problem(again, 409, "generation_in_progress")

    # The student completes `later` meanwhile: a new session colliding with it is left out.
    await patch_session(client, alice, later["id"], status="completed")
    subject = uuid.UUID(calculus)
    new = [planned(subject, at(26, 18, 30), 30), planned(subject, at(27, 18))]
    await answer(running_app, settings, generated(request, new))
    finished = await wait_for(client, alice, job["id"], "completed")
    listed = await list_all(client, alice, SESSIONS)
    assert [(s["id"], s["plan_id"]) for s in listed if s["source"] == "manual"] == [
        (done["id"], finished["plan_id"]),
        (working["id"], finished["plan_id"]),
        (later["id"], finished["plan_id"]),
    ]
    assert [s["starts_at"] for s in listed if s["source"] == "ai"] == ["2026-11-27T18:00:00Z"]
    old = (await client.get(f"/api/v1/plans/{plan['id']}", headers=alice.headers)).json()
    assert old["status"] == "superseded"
    assert [s["id"] for s in old["sessions"]] == [skipped["id"]]


async def test_reschedule_needs_a_current_plan(client, alice, ready):
    assert_problem(
        await client.post(RESCHEDULE, json={}, headers=alice.headers), 404, "no_current_plan"
    )
    response = await client.post(
        RESCHEDULE, json={"feedback": {"rating": 6}}, headers=alice.headers
    )
    assert_problem(response, 422, "validation_error")


async def test_another_users_job_is_a_404(client, alice, bob, ready):
    job = await ask(client, alice)
    for job_id in (job["id"], str(uuid.uuid4())):
        response = await client.get(f"{JOBS}/{job_id}", headers=bob.headers)
        assert_problem(response, 404, "not_found")
    status = (await client.get(WEEKLY, headers=bob.headers)).json()
    assert status["latest_job"] is None
    assert status["can_generate"] is True


async def _a_stored_generation(client, alice, running_app, settings, ready) -> tuple[dict, dict]:
    """A job completed by a PlanGenerated through the broker: (the job, the outcome's request)."""
    job = await ask(client, alice)
    (request,) = await requests_in_outbox(running_app, job["id"])
    calculus = uuid.UUID(ready["calculus"]["id"])
    outcome = generated(request, [planned(calculus, at(23, 17)), planned(calculus, at(24, 17))])
    await answer(running_app, settings, outcome)
    return await wait_for(client, alice, job["id"], "completed"), outcome


async def test_a_duplicate_plan_or_session_that_bypasses_every_check_is_an_integrity_error(
    client, alice, ready, running_app, settings
):
    """docs/reliability.md, item 35: the inbox and the job rules make a second outcome a no-op;
    under them, business keys refuse a second plan of one generation and a second session of one
    plan at one start, whatever writes it (rows inserted straight into the tables here)."""
    done, _ = await _a_stored_generation(client, alice, running_app, settings, ready)
    sessionmaker = running_app.state.runtime.sessionmaker
    plan = {"plan": done["plan_id"]}
    duplicates = {
        # Superseded, so the one-active-plan-a-week index is not what refuses it.
        PLAN_GENERATION_KEY: "INSERT INTO planner.study_plans (id, user_id, week_start, source, "
        "status, generation_id) SELECT gen_random_uuid(), user_id, week_start, source, "
        "'superseded', generation_id FROM planner.study_plans WHERE id = CAST(:plan AS uuid)",
        # Inactive, so the no-overlap constraint is not what refuses it.
        SESSION_START_KEY: "INSERT INTO planner.study_sessions (id, plan_id, user_id, title, "
        "starts_at, ends_at, source, active) SELECT gen_random_uuid(), plan_id, user_id, title, "
        "starts_at, ends_at, source, false FROM planner.study_sessions "
        "WHERE plan_id = CAST(:plan AS uuid) ORDER BY starts_at LIMIT 1",
    }
    for key, statement in duplicates.items():
        with pytest.raises(IntegrityError) as refused:
            async with sessionmaker.begin() as session:
                await session.execute(text(statement), plan)
        assert refused.value.orig.diag.constraint_name == key
    async with sessionmaker.begin() as session:
        stored = await session.scalar(
            select(func.count()).where(StudySession.plan_id == uuid.UUID(done["plan_id"]))
        )
    assert stored == 2


async def test_an_outcome_redelivered_after_its_inbox_row_is_purged_stores_nothing_twice(
    client, alice, ready, running_app, settings
):
    """docs/reliability.md, item 39: past the retention the event id is forgotten; the same
    PlanGenerated delivered again is then applied as new, and still stores nothing twice."""
    done, outcome = await _a_stored_generation(client, alice, running_app, settings, ready)
    runtime = running_app.state.runtime
    async with runtime.sessionmaker.begin() as session:
        await session.execute(
            text(
                "UPDATE planner.processed_events SET processed_at = now() - interval '8 days' "
                "WHERE event_type = :type"
            ),
            {"type": PlanGenerated.event_type},
        )
    # The service's own hourly purge: its dead-letter queue is empty, so the week applies.
    assert await runtime.purge_processed_events() >= 1
    before = await list_all(client, alice, SESSIONS)
    envelope = wrap(outcome, producer="ai")
    await testing.publish(settings.rabbitmq_url, settings.events_exchange, envelope, envelope)

    async def claimed_again() -> bool:
        async with runtime.sessionmaker.begin() as session:
            found = await session.scalar(
                text("SELECT count(*) FROM planner.processed_events WHERE event_id = :id"),
                {"id": envelope.event_id},
            )
        return found == 1

    await testing.eventually(claimed_again, timeout=10)
    assert await list_all(client, alice, SESSIONS) == before
    assert (await job_of(client, alice, done["id"]))["plan_id"] == done["plan_id"]
