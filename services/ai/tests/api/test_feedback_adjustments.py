"""Feedback adjustments, ai side (docs/api.md, Feedback): strict on `POST /feedback`,
stored and shown, carried into a reschedule, and the generator's report published with
PlanGenerated for the planner."""

import uuid

from sqlalchemy import select

from ai.generations.models import Generation
from schediora_contracts import PlanGenerated
from schediora_contracts.common import FeedbackReport

from .requests import plan_request
from .test_generations import FEEDBACK, GENERATIONS, outcome, send

ADJUSTMENTS = ("body", "adjustments")


async def generated_for(running_app, settings, user, **fields):
    request = plan_request(user.id, **fields)
    await send(settings, request)
    events = await outcome(running_app, request.job_id)
    return request, events


async def stored_request(app, job_id):
    async with app.state.runtime.sessionmaker() as session:
        return await session.scalar(select(Generation.request).where(Generation.id == job_id))


async def test_each_bad_adjustment_is_a_422_naming_its_field(running_app, settings, client, alice):
    request, _ = await generated_for(running_app, settings, alice)
    calculus, biology = (str(s.subject_id) for s in request.subjects)
    cases = [
        ({"mood": "sad"}, ("mood",)),
        ({"more": [calculus], "less": [calculus]}, ("less",)),
        ({"less": [biology, biology]}, ("less",)),
        ({"avoid_periods": ["morning"], "prefer_period": "morning"}, ("prefer_period",)),
        ({"free_days": [-1]}, ("free_days", 0)),
        ({"session_length": "short"}, ("session_length",)),
        ({"daily_load": "heavy"}, ("daily_load",)),
        ({"not_before": "7:00"}, ("not_before",)),
        ({"not_before": "20:00", "not_after": "19:59"}, ("not_after",)),
    ]
    body = {"generation_id": str(request.job_id), "rating": 3}
    for adjustments, field in cases:
        response = await client.post(
            FEEDBACK, json=body | {"adjustments": adjustments}, headers=alice.headers
        )
        assert (response.status_code, response.json()["code"]) == (422, "validation_error")
        assert [e["loc"] for e in response.json()["errors"]] == [[*ADJUSTMENTS, *field]]
    # A subject the generation was not made for: the ai knows only the generation's subjects.
    stranger = str(uuid.uuid4())
    response = await client.post(
        FEEDBACK,
        json=body | {"adjustments": {"more": [calculus], "less": [biology, stranger]}},
        headers=alice.headers,
    )
    assert (response.status_code, response.json()["code"]) == (422, "unknown_subject")
    assert [e["loc"] for e in response.json()["errors"]] == [[*ADJUSTMENTS, "less", 1]]
    listed = await client.get(FEEDBACK, headers=alice.headers)
    assert listed.json()["items"] == []


async def test_adjustments_are_stored_and_shown(running_app, settings, client, alice):
    request, _ = await generated_for(running_app, settings, alice)
    calculus = str(request.subjects[0].subject_id)
    wishes = {"more": [calculus], "free_days": [6], "not_after": "20:30"}
    created = await client.post(
        FEEDBACK,
        json={"generation_id": str(request.job_id), "rating": 2, "adjustments": wishes},
        headers=alice.headers,
    )
    assert created.status_code == 201, created.text
    expected = {
        "more": [calculus],
        "less": [],
        "avoid_periods": [],
        "prefer_period": None,
        "free_days": [6],
        "session_length": None,
        "daily_load": None,
        "not_before": None,
        "not_after": "20:30",
    }
    assert created.json()["adjustments"] == expected
    listed = (await client.get(FEEDBACK, headers=alice.headers)).json()["items"]
    assert listed == [created.json()]
    generation = (await client.get(f"{GENERATIONS}/{request.job_id}", headers=alice.headers)).json()
    assert generation["feedback"] == created.json()


async def test_a_reschedule_takes_the_stored_adjustments_in_and_reports_on_them(
    running_app, settings, client, alice
):
    first, _ = await generated_for(running_app, settings, alice)
    calculus, biology = first.subjects
    wishes = {
        "more": [str(calculus.subject_id)],
        "less": [str(biology.subject_id)],
        "free_days": [5, 6],
    }
    given = await client.post(
        FEEDBACK,
        json={"generation_id": str(first.job_id), "rating": 2, "adjustments": wishes},
        headers=alice.headers,
    )
    assert given.status_code == 201, given.text
    # Biology was deleted since: the reschedule asks for Calculus only, and `less` drops it.
    reschedule, ((_, _), (kind, payload)) = await generated_for(
        running_app,
        settings,
        alice,
        kind="reschedule",
        subjects=(calculus,),
        previous_generation_id=first.job_id,
        not_before=first.requested_at,
    )
    assert kind == "ai.plan_generated"
    seen = (await stored_request(running_app, reschedule.job_id))["feedback"]
    assert (seen["rating"], seen["comments"]) == (2, None)
    assert seen["adjustments"]["more"] == [str(calculus.subject_id)]
    assert (seen["adjustments"]["less"], seen["adjustments"]["free_days"]) == ([], [5, 6])
    report = PlanGenerated.model_validate(payload).feedback
    assert report is not None
    quality = (
        await client.get(f"{GENERATIONS}/{reschedule.job_id}", headers=alice.headers)
    ).json()["quality"]
    assert report == FeedbackReport.model_validate(quality["feedback"])


async def test_adjustments_sent_with_a_reschedule_are_kept_as_the_feedback(
    running_app, settings, client, alice
):
    first, ((_, _), (_, payload)) = await generated_for(running_app, settings, alice)
    assert PlanGenerated.model_validate(payload).feedback is None
    wishes = {"avoid_periods": ["morning"], "session_length": "shorter"}
    reschedule, _ = await generated_for(
        running_app,
        settings,
        alice,
        kind="reschedule",
        previous_generation_id=first.job_id,
        feedback={"rating": 3, "comments": "fine", "adjustments": wishes},
        not_before=first.requested_at,
    )
    kept = (await client.get(f"{GENERATIONS}/{first.job_id}", headers=alice.headers)).json()
    assert kept["feedback"]["rating"] == 3
    assert kept["feedback"]["adjustments"]["avoid_periods"] == ["morning"]
    assert kept["feedback"]["adjustments"]["session_length"] == "shorter"
    seen = (await stored_request(running_app, reschedule.job_id))["feedback"]
    assert seen["adjustments"]["avoid_periods"] == ["morning"]


def test_the_openapi_document_shows_adjustments_with_examples(running_app):
    document = running_app.openapi()
    operation = document["paths"]["/api/v1/feedback"]["post"]
    examples = operation["requestBody"]["content"]["application/json"]["examples"]
    assert examples["chips_and_comment"]["value"]["adjustments"]["prefer_period"] == "evening"
    schemas = document["components"]["schemas"]
    assert schemas["AdjustmentsInput"]["additionalProperties"] is False
    assert "adjustments" in schemas["FeedbackRead"]["properties"]
