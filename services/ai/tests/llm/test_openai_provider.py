"""The `openai` provider against a real HTTP server speaking the OpenAI chat completions API
(docs/architecture.md: AI): a valid answer is the plan; one that breaks hard constraints is
asked again with the violations and then replaced by the local solver's plan; malformed JSON, a
refusal, a 500 and a timeout end in the local plan too, the reason recorded. Whatever is stored
and published passes the validator."""

import json
import uuid

import pytest

from ai.providers.answer import parse
from ai.providers.prompt import PROMPT_VERSION, RESPONSE_FORMAT, SYSTEM
from ai.providers.registry import provider_from
from ai.scheduling.solver import solve
from ai.scheduling.validator import validate
from schediora_contracts import PlanGenerated
from schediora_contracts.common import FeedbackAdjustments, FeedbackSnapshot, PlannedSession
from schediora_testkit.fake_llm import answer, failure, planning, refusal, stall

from ..api.requests import plan_request
from .conftest import API_KEY, MAX_ATTEMPTS, MODEL, TIMEOUT_SECONDS, openai_settings
from .plans import BERLIN, calendar, clashing, events, generate, reschedule_request, stored


def openai_provider(llm, **overrides):
    return provider_from(openai_settings(llm.base_url, **overrides))


async def published_plan(sessionmaker, request) -> PlanGenerated:
    """The one PlanGenerated of the job, after its Started; checked by the validator."""
    kinds = await events(sessionmaker, request.job_id)
    assert [kind for kind, _ in kinds] == ["ai.plan_generation_started", "ai.plan_generated"]
    plan = PlanGenerated.model_validate(kinds[1][1])
    assert validate(request, plan.sessions) == []
    return plan


def stored_sessions(generation) -> tuple[PlannedSession, ...]:
    return tuple(PlannedSession.model_validate(s) for s in generation.sessions)


async def test_a_valid_answer_is_the_published_plan(llm, sessionmaker):
    request = reschedule_request()
    answered = calendar(solve(request).sessions)
    llm.reply(answer(answered, usage=(900, 300)))

    await generate(sessionmaker, request, openai_provider(llm))

    generation = await stored(sessionmaker, request.job_id)
    assert (generation.status, generation.provider, generation.model) == (
        "completed",
        "openai",
        MODEL,
    )
    sessions = stored_sessions(generation)
    assert [s.title for s in sessions] == [item["title"] for item in answered]
    assert validate(request, sessions) == []
    provenance = generation.provenance
    assert provenance["path"] == "llm"
    assert provenance["fallback_reason"] is None
    assert (provenance["provider"], provenance["model"]) == ("openai", MODEL)
    assert provenance["prompt_version"] == PROMPT_VERSION
    assert provenance["attempts"] == 1
    assert provenance["usage"] == {
        "prompt_tokens": 900,
        "completion_tokens": 300,
        "total_tokens": 1200,
    }
    assert [call["outcome"] for call in provenance["calls"]] == ["valid"]
    assert generation.quality["planned_minutes"] == sum(
        int((s.ends_at - s.starts_at).total_seconds() // 60) for s in sessions
    )
    # Scored like the solver's own plan: the same plan gets the same terms and shortfall.
    solved = solve(request).quality
    assert generation.quality["terms"] == solved["terms"]
    assert generation.quality["shortfall"] == solved["shortfall"]
    assert generation.quality["provider"] == "openai"
    plan = await published_plan(sessionmaker, request)
    assert (plan.provider, plan.model) == ("openai", MODEL)
    assert plan.sessions == sessions


async def test_the_prompt_carries_the_request_in_local_time_with_a_strict_schema(llm, sessionmaker):
    request = reschedule_request()
    script = llm.reply(answer(calendar(solve(request).sessions)))

    await generate(sessionmaker, request, openai_provider(llm))

    (body,) = script.requests
    assert script.headers[0]["authorization"] == f"Bearer {API_KEY}"
    assert body["model"] == MODEL
    assert body["response_format"] == RESPONSE_FORMAT
    assert body["response_format"]["json_schema"]["strict"] is True
    system, user = body["messages"]
    assert system == {"role": "system", "content": SYSTEM}
    assert user["role"] == "user"
    facts = json.loads(user["content"].split("\n", 1)[1])
    calculus, biology = request.subjects
    assert facts["time_zone"] == "Europe/Berlin"
    assert facts["kind"] == "reschedule"
    assert facts["not_before"] == "2030-01-07T12:00:00+01:00"
    assert facts["availability"][0] == {
        "date": "2030-01-07",
        "weekday": "Monday",
        "starts_at": "2030-01-07T18:00:00+01:00",
        "ends_at": "2030-01-07T21:00:00+01:00",
    }
    assert len(facts["availability"]) == 7
    assert [s["subject_id"] for s in facts["subjects"]] == [
        str(calculus.subject_id),
        str(biology.subject_id),
    ]
    assert facts["subjects"][0]["exam_date"] == "2030-01-12"
    assert facts["sessions_to_keep"] == [
        {
            "subject_id": str(biology.subject_id),
            "title": "Biology",
            "starts_at": "2030-01-08T18:00:00+01:00",
            "ends_at": "2030-01-08T18:50:00+01:00",
            "status": "completed",
        }
    ]
    assert [s["starts_at"] for s in facts["previous_plan"]] == [
        "2030-01-08T18:00:00+01:00",
        "2030-01-09T19:00:00+01:00",
    ]
    assert facts["feedback"] == {
        "rating": 2,
        "comments": "Too much calculus on one day",
        "wishes": {
            "less": [{"subject_id": str(calculus.subject_id), "name": "Calculus"}],
            "daily_goal_minutes": 35,  # the low rating: 75 % of the busiest day left (50)
        },
        "not_met": [],
    }
    assert facts["notes"] == "Shorter evenings please"
    assert facts["preferences"]["daily_goal_minutes"] == 120


async def test_an_answer_breaking_hard_rules_is_asked_again_with_the_violations_then_replaced(
    llm, sessionmaker
):
    request = plan_request(uuid.uuid4())
    bad = clashing(request)
    violations = validate(request, parse(json.dumps({"calendar": bad})))
    assert {v.code for v in violations} >= {"outside_availability", "overlap"}
    script = llm.reply(answer(bad))

    await generate(sessionmaker, request, openai_provider(llm))

    assert script.calls == MAX_ATTEMPTS
    first, *retries = script.requests
    assert len(first["messages"]) == 2
    for number, retry in enumerate(retries, start=1):
        # The whole conversation so far, then the validator's own words.
        assert len(retry["messages"]) == 2 + 2 * number
        said, asked = retry["messages"][-2:]
        assert said == {"role": "assistant", "content": json.dumps({"calendar": bad})}
        assert asked["role"] == "user"
        for violation in violations:
            assert f"{violation.code}: {violation.message}" in asked["content"]
    generation = await stored(sessionmaker, request.job_id)
    provenance = generation.provenance
    assert (provenance["path"], provenance["fallback_reason"]) == (
        "local_fallback",
        "invalid_plan",
    )
    assert provenance["attempts"] == MAX_ATTEMPTS
    assert "outside_availability" in provenance["fallback_detail"]
    assert provenance["usage"]["total_tokens"] == MAX_ATTEMPTS * 200
    local = solve(request)
    assert stored_sessions(generation) == local.sessions
    assert generation.quality["terms"] == dict(local.quality)["terms"]
    plan = await published_plan(sessionmaker, request)
    assert plan.sessions == local.sessions


async def test_a_corrected_answer_after_the_violations_is_used(llm, sessionmaker):
    request = plan_request(uuid.uuid4())
    good = calendar(solve(request).sessions)
    script = llm.reply(answer(clashing(request)), answer(good))

    await generate(sessionmaker, request, openai_provider(llm))

    assert script.calls == 2
    generation = await stored(sessionmaker, request.job_id)
    assert generation.provenance["path"] == "llm"
    assert [c["outcome"] for c in generation.provenance["calls"]] == ["invalid_plan", "valid"]
    plan = await published_plan(sessionmaker, request)
    assert [s.title for s in plan.sessions] == [item["title"] for item in good]


def _naive_times(request):
    return [
        item | {"starts_at": item["starts_at"][:19], "ends_at": item["ends_at"][:19]}
        for item in calendar(solve(request).sessions)
    ]


FAILURES = {
    # case: (reply for the request, fallback_reason, calls made)
    "malformed JSON": (lambda r: answer('{"calendar": [{"subject_id": '), "malformed", 3),
    "times without offset": (lambda r: answer(_naive_times(r)), "malformed", 3),
    "not the schema": (lambda r: answer('{"sessions": []}'), "malformed", 3),
    "cut off": (
        lambda r: answer(calendar(solve(r).sessions), finish_reason="length"),
        "malformed",
        3,
    ),
    "empty calendar": (lambda r: answer([]), "invalid_plan", 3),
    "refusal": (lambda r: refusal(), "refusal", 1),
    "HTTP 500": (lambda r: failure(500), "server_error", 3),
    "HTTP 429": (lambda r: failure(429, "slow down"), "rate_limited", 3),
    "HTTP 401": (lambda r: failure(401, "bad key"), "client_error", 1),
    "timeout": (lambda r: stall(4 * TIMEOUT_SECONDS), "timeout", 3),
}


@pytest.mark.parametrize("case", FAILURES)
async def test_no_usable_answer_ends_in_the_local_plan_with_the_reason(case, llm, sessionmaker):
    request = plan_request(uuid.uuid4())
    reply, reason, calls = FAILURES[case]
    script = llm.reply(reply(request))

    await generate(sessionmaker, request, openai_provider(llm))

    assert script.calls == calls
    generation = await stored(sessionmaker, request.job_id)
    assert generation.status == "completed"
    provenance = generation.provenance
    assert (provenance["path"], provenance["fallback_reason"]) == ("local_fallback", reason)
    assert provenance["attempts"] == calls
    assert {call["outcome"] for call in provenance["calls"]} == {reason}
    assert all(call["detail"] for call in provenance["calls"])
    assert provenance["fallback_detail"]
    local = solve(request)
    assert stored_sessions(generation) == local.sessions
    plan = await published_plan(sessionmaker, request)
    assert plan.sessions == local.sessions
    assert (plan.provider, plan.model) == ("openai", MODEL)
    if reason == "malformed":
        # An unreadable answer is answered with what was wrong with it.
        said, asked = script.requests[1]["messages"][-2:]
        assert said["role"] == "assistant"
        assert "could not be used" in asked["content"]
    if reason == "timeout":
        # Each call is cut at the timeout although the server would answer later; the last
        # one at what is left of the budget (timeout x attempts) after the backoffs.
        *earlier, last = provenance["calls"]
        for call in earlier:
            assert TIMEOUT_SECONDS * 1000 * 0.9 <= call["latency_ms"] < 3 * TIMEOUT_SECONDS * 1000
        assert last["latency_ms"] < 3 * TIMEOUT_SECONDS * 1000


async def test_a_fallback_with_no_possible_plan_fails_the_job_and_keeps_the_provenance(
    llm, sessionmaker
):
    request = plan_request(uuid.uuid4())
    request = request.model_copy(
        update={"preferences": request.preferences.model_copy(update={"availability": ()})}
    )
    llm.reply(answer(clashing(request)))

    await generate(sessionmaker, request, openai_provider(llm))

    kinds = await events(sessionmaker, request.job_id)
    assert [kind for kind, _ in kinds] == [
        "ai.plan_generation_started",
        "ai.plan_generation_failed",
    ]
    assert kinds[1][1]["code"] == "no_available_time"
    generation = await stored(sessionmaker, request.job_id)
    assert (generation.status, generation.sessions) == ("failed", [])
    provenance = generation.provenance
    assert (provenance["path"], provenance["fallback_reason"], provenance["attempts"]) == (
        "local_fallback",
        "invalid_plan",
        MAX_ATTEMPTS,
    )


async def test_an_unreachable_endpoint_degrades_to_the_local_plan(sessionmaker):
    request = plan_request(uuid.uuid4())
    # Port 1 on the loopback: nothing listens, the connection is refused at once.
    provider = provider_from(openai_settings("http://127.0.0.1:1/v1"))

    await generate(sessionmaker, request, provider)

    generation = await stored(sessionmaker, request.job_id)
    assert generation.provenance["fallback_reason"] == "connection_error"
    assert generation.provenance["attempts"] == MAX_ATTEMPTS
    await published_plan(sessionmaker, request)


def _with_wishes(request, **chips):
    feedback = FeedbackSnapshot(
        rating=request.feedback.rating,
        comments="no mornings please",
        adjustments=FeedbackAdjustments(**chips),
    )
    return request.model_copy(update={"feedback": feedback, "job_id": uuid.uuid4()})


def _on_wednesday(sessions) -> list[PlannedSession]:
    return [s for s in sessions if s.starts_at.astimezone(BERLIN).weekday() == 2]


async def test_the_prompt_carries_the_wishes_and_what_to_keep_free_as_a_hard_rule(
    llm, sessionmaker
):
    request = _with_wishes(reschedule_request(), free_days=[2])
    script = llm.reply(answer(calendar(solve(request).sessions)))

    await generate(sessionmaker, request, openai_provider(llm))

    facts = json.loads(script.requests[0]["messages"][1]["content"].split("\n", 1)[1])
    assert facts["feedback"]["keep_free"] == {
        "weekdays": ["Wednesday"],
        "times": [{"from": "05:00", "to": "12:00", "wish": "avoid morning"}],
    }
    assert facts["feedback"]["wishes"]["free_days"] == [2]
    assert facts["feedback"]["wishes"]["avoid_periods"] == ["morning"]
    assert "`feedback.keep_free`" in SYSTEM


async def test_an_answer_on_a_day_the_student_keeps_free_is_asked_again_then_replaced(
    llm, sessionmaker
):
    request = _with_wishes(reschedule_request(), free_days=[2])
    unasked = solve(request.model_copy(update={"feedback": None})).sessions
    assert _on_wednesday(unasked)  # the plan as it would be without the wish
    script = llm.reply(answer(calendar(unasked)))

    await generate(sessionmaker, request, openai_provider(llm))

    assert script.calls == MAX_ATTEMPTS
    correction = script.requests[1]["messages"][-1]["content"]
    assert "feedback_free_day" in correction
    generation = await stored(sessionmaker, request.job_id)
    assert (generation.provenance["path"], generation.provenance["fallback_reason"]) == (
        "local_fallback",
        "invalid_plan",
    )
    plan = await published_plan(sessionmaker, request)
    assert not _on_wednesday(plan.sessions)
    assert plan.sessions == solve(request).sessions
    assert "free Wednesday" in generation.quality["feedback"]["applied"]


async def test_a_corrected_answer_that_keeps_the_day_free_is_used(llm, sessionmaker):
    request = _with_wishes(reschedule_request(), free_days=[2])
    unasked = solve(request.model_copy(update={"feedback": None})).sessions
    good = calendar(solve(request).sessions)
    script = llm.reply(answer(calendar(unasked)), answer(good))

    await generate(sessionmaker, request, openai_provider(llm))

    assert script.calls == 2
    generation = await stored(sessionmaker, request.job_id)
    assert [c["outcome"] for c in generation.provenance["calls"]] == ["invalid_plan", "valid"]
    plan = await published_plan(sessionmaker, request)
    assert not _on_wednesday(plan.sessions)
    assert generation.quality["feedback"]["understood"]["free_days"] == [2]


async def test_the_fake_servers_planning_answer_is_a_plan_the_validator_accepts(llm, sessionmaker):
    """End-to-end tests use `planning` as an LLM that always plans well: its calendar, made
    from the prompt alone, passes the one validator at the first call."""
    request = plan_request(uuid.uuid4())
    llm.script.respond = planning()

    # A timeout far above the module's 0.5 s: a loaded box is no reason for a fallback here.
    await generate(sessionmaker, request, openai_provider(llm, openai_timeout_seconds=10))

    generation = await stored(sessionmaker, request.job_id)
    provenance = generation.provenance
    assert (generation.status, provenance["path"]) == ("completed", "llm"), provenance
    assert llm.script.calls == 1
    sessions = stored_sessions(generation)
    assert {s.subject_id for s in sessions} == {s.subject_id for s in request.subjects}
    assert validate(request, sessions) == []
