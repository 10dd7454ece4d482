"""Feedback adjustments on a reschedule, planner side (docs/api.md: AI planning): the strict
`feedback.adjustments` body, carried into PlanRequested, and the generator's report kept on
the job."""

import uuid

import pytest
from sqlalchemy import select

from planner.db import outbox
from schediora_contracts import PlanRequested
from schediora_contracts.common import FeedbackAdjustments, FeedbackReport

from .factories import create_subject
from .job_factories import RESCHEDULE, answer, generated, planned, requests_in_outbox
from .plan_factories import EVENINGS, at, create_plan, set_preferences, slot
from .test_jobs import ask, job_of, wait_for
from .test_subjects import assert_problem

ADJUSTMENTS = ("body", "feedback", "adjustments")


@pytest.fixture
async def ready(client, alice, clock, running_app) -> dict:
    """Alice has availability and two subjects: she can ask for a plan."""
    await set_preferences(running_app, alice, "Europe/Berlin", "monday", EVENINGS)
    calculus = await create_subject(client, alice, "Calculus")
    biology = await create_subject(client, alice, "Biology", difficulty=5)
    return {"calculus": calculus, "biology": biology}


async def requests_of(app, user_id: uuid.UUID) -> list[PlanRequested]:
    async with app.state.runtime.sessionmaker() as session:
        rows = await session.scalars(
            select(outbox.c.envelope).where(outbox.c.event_type == PlanRequested.event_type)
        )
        events = [PlanRequested.model_validate(envelope["payload"]) for envelope in rows]
    return [event for event in events if event.user_id == user_id]


async def reschedule(client, user, adjustments, rating: int = 2):
    body = {"feedback": {"rating": rating, "adjustments": adjustments}}
    return await client.post(RESCHEDULE, json=body, headers=user.headers)


async def test_each_bad_adjustment_is_a_422_naming_its_field(client, alice, ready, running_app):
    await create_plan(client, alice, sessions=[slot(26, 18)])
    calculus, biology = ready["calculus"]["id"], ready["biology"]["id"]
    cases = [
        ({"mood": "sad"}, ("mood",)),
        ({"more": ["not-a-uuid"]}, ("more", 0)),
        ({"more": [calculus], "less": [biology, calculus]}, ("less",)),
        ({"more": [calculus, calculus]}, ("more",)),
        ({"more": [str(uuid.uuid4()) for _ in range(21)]}, ("more",)),
        ({"avoid_periods": ["night"]}, ("avoid_periods", 0)),
        ({"avoid_periods": ["evening"], "prefer_period": "evening"}, ("prefer_period",)),
        ({"prefer_period": "noon"}, ("prefer_period",)),
        ({"free_days": [7]}, ("free_days", 0)),
        ({"free_days": [5, 5]}, ("free_days",)),
        ({"session_length": "medium"}, ("session_length",)),
        ({"daily_load": "none"}, ("daily_load",)),
        ({"not_before": "25:00"}, ("not_before",)),
        ({"not_after": "9pm"}, ("not_after",)),
        ({"not_before": "21:00", "not_after": "10:00"}, ("not_after",)),
        ({"not_before": "10:00", "not_after": "10:00"}, ("not_after",)),
    ]
    for adjustments, field in cases:
        body = assert_problem(await reschedule(client, alice, adjustments), 422, "validation_error")
        assert [e["loc"] for e in body["errors"]] == [[*ADJUSTMENTS, *field]], adjustments
    # Nothing was queued by any of them.
    assert await requests_of(running_app, alice.id) == []
    status = (await client.get("/api/v1/ai/plans/status/weekly", headers=alice.headers)).json()
    assert status["latest_job"] is None


async def test_a_subject_that_is_not_yours_is_a_422_unknown_subject(client, alice, bob, ready):
    await create_plan(client, alice, sessions=[slot(26, 18)])
    theirs = await create_subject(client, bob, "Bob's subject")
    mine = ready["calculus"]["id"]
    response = await reschedule(
        client, alice, {"more": [mine, theirs["id"]], "less": [str(uuid.uuid4())]}
    )
    body = assert_problem(response, 422, "unknown_subject")
    assert [e["loc"] for e in body["errors"]] == [
        [*ADJUSTMENTS, "more", 1],
        [*ADJUSTMENTS, "less", 0],
    ]
    assert theirs["id"] in body["errors"][0]["msg"]
    status = (await client.get("/api/v1/ai/plans/status/weekly", headers=alice.headers)).json()
    assert status["latest_job"] is None


async def test_adjustments_reach_the_generator_and_its_report_is_shown_on_the_job(
    client, alice, ready, running_app, settings
):
    await create_plan(client, alice, sessions=[slot(26, 18)])
    calculus, biology = ready["calculus"]["id"], ready["biology"]["id"]
    wishes = {
        "more": [calculus],
        "less": [biology],
        "avoid_periods": ["morning", "afternoon"],
        "prefer_period": "evening",
        "free_days": [5, 6],
        "session_length": "longer",
        "daily_load": "lighter",
        "not_before": "18:30",
        "not_after": "21:00",
    }
    response = await client.post(
        RESCHEDULE,
        json={"feedback": {"rating": 2, "comments": "no weekends", "adjustments": wishes}},
        headers=alice.headers,
    )
    assert response.status_code == 202, response.text
    queued = response.json()
    assert queued["feedback"] is None
    (request,) = await requests_in_outbox(running_app, queued["id"])
    assert request.feedback.model_dump(mode="json") == {
        "rating": 2,
        "comments": "no weekends",
        "adjustments": wishes,
    }

    report = FeedbackReport(
        understood=FeedbackAdjustments.model_validate(wishes),
        applied=("more Calculus", "less Biology", "free Saturday", "free Sunday"),
        not_met=("prefer evening",),
        not_understood=("no weekends",),
    )
    sessions = [planned(uuid.UUID(calculus), at(27, 18, 30), 60)]
    await answer(running_app, settings, generated(request, sessions, feedback=report))
    done = await wait_for(client, alice, queued["id"], "completed")
    assert done["feedback"] == report.model_dump(mode="json")
    assert done["feedback"]["understood"]["free_days"] == [5, 6]
    assert (await job_of(client, alice, queued["id"]))["feedback"] == done["feedback"]


async def test_a_job_without_feedback_shows_null(client, alice, ready, running_app, settings):
    job = await ask(client, alice)
    (request,) = await requests_in_outbox(running_app, job["id"])
    calculus = uuid.UUID(ready["calculus"]["id"])
    await answer(running_app, settings, generated(request, [planned(calculus, at(27, 18))]))
    done = await wait_for(client, alice, job["id"], "completed")
    assert done["feedback"] is None
    # A reschedule with a rating only carries no adjustments.
    response = await client.post(
        RESCHEDULE, json={"feedback": {"rating": 4}}, headers=alice.headers
    )
    assert response.status_code == 202, response.text
    (again,) = await requests_in_outbox(running_app, response.json()["id"])
    assert (again.feedback.rating, again.feedback.adjustments) == (4, None)


def test_the_openapi_document_shows_adjustments_with_examples(running_app):
    document = running_app.openapi()
    operation = document["paths"]["/api/v1/ai/plans/reschedule"]["post"]
    examples = operation["requestBody"]["content"]["application/json"]["examples"]
    assert examples["chips"]["value"]["feedback"]["adjustments"]["free_days"] == [5, 6]
    schemas = document["components"]["schemas"]
    assert schemas["AdjustmentsInput"]["additionalProperties"] is False
    assert "feedback" in schemas["JobRead"]["properties"]
