"""End to end through the gateway, the four services as processes, on the real wall clock:
onboarding, a generated week that passes the ai validator, a completed session, feedback, and
a reschedule that keeps the completed session and places nothing before it was asked for."""

import asyncio
import time
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ai.scheduling.validator import validate
from schediora_contracts.common import PlannedSession

from . import service_tables
from .isolated import isolated_stack
from .students import Student, preferences

pytestmark = pytest.mark.e2e

# Not UTC and not a whole-hour offset, so local days and weeks are really the user's.
TIMEZONE = "Asia/Kolkata"


def _planned(sessions: list[dict[str, Any]]) -> list[PlannedSession]:
    return [
        PlannedSession(
            subject_id=s["subject_id"],
            title=s["title"],
            starts_at=s["starts_at"],
            ends_at=s["ends_at"],
            rationale=s["rationale"],
        )
        for s in sessions
    ]


def _week_that_outlasts_the_test() -> tuple[str, Any]:
    """The first weekday and start of a current week with at least a day left in it, at any
    time of the week: a reschedule places sessions only from now to the week's end."""
    today = datetime.now(ZoneInfo(TIMEZONE)).date()
    if today.weekday() == 6:  # Sunday: a Monday week would end tonight
        return "sunday", today
    return "monday", today - timedelta(days=today.weekday())


def _trace_of(headers: dict[str, str]) -> str:
    return headers["traceparent"].split("-")[1]


@pytest.fixture(scope="module")
def stack(otlp, tmp_path_factory):
    """This file's own stack, on its own database, traced to the test's OTLP receiver."""
    tracing = {
        "OTEL_TRACES_EXPORTER": "otlp",
        "OTEL_EXPORTER_OTLP_ENDPOINT": otlp.endpoint,
        "OTEL_BSP_SCHEDULE_DELAY": "100",
    }
    log_dir = tmp_path_factory.mktemp("plan-flow-logs")
    with isolated_stack(log_dir, "plan_flow", tracing) as stack:
        yield stack


async def test_a_student_gets_a_valid_ai_week_completes_a_session_and_reschedules(api, db, otlp):
    starts_on, week_start = _week_that_outlasts_the_test()
    week_end = week_start + timedelta(days=6)
    student = await Student.register(api, "plan-flow")
    await student.set_preferences(preferences(timezone=TIMEZONE, week_starts_on=starts_on))
    algebra = await student.add_subject("Linear algebra", exam_date=str(week_end), difficulty=4)
    history = await student.add_subject("History", difficulty=2)

    # 1. Generate: 202 with a queued job, then polled as the app does until completed.
    queued = await student.generate_once_onboarded()
    assert (queued["kind"], queued["status"]) == ("generate", "queued")
    assert queued["week_start"] == str(week_start)
    job = await student.finished_job(queued["id"])
    assert job["status"] == "completed", job
    plan_id = job["plan_id"]

    # "completed" means the sessions are already in /sessions.
    listed = (await student.call("GET", "/sessions")).json()["items"]
    assert listed
    assert {s["plan_id"] for s in listed} == {plan_id}
    assert {s["source"] for s in listed} == {"ai"}
    assert {s["subject_id"] for s in listed} <= {algebra["id"], history["id"]}
    current = (await student.call("GET", "/plans/current")).json()
    assert (current["id"], current["generation_id"], current["source"]) == (
        plan_id,
        queued["id"],
        "ai",
    )
    assert current["session_count"] == len(listed)
    status = (await student.call("GET", "/ai/plans/status/weekly")).json()
    assert (status["can_generate"], status["reason"], status["current_plan_id"]) == (
        False,
        "weekly_plan_exists",
        plan_id,
    )

    # The stored week passes the ai's own validator against the request that asked for it.
    request = await service_tables.plan_request(db, queued["id"])
    assert {s.name for s in request.subjects} == {"Linear algebra", "History"}
    assert validate(request, _planned(listed)) == []

    # The trace of the POST runs through PlanRequested into the ai and back with PlanGenerated.
    (trace_headers,) = (
        await service_tables.rows(
            db,
            "SELECT headers FROM planner.outbox WHERE envelope->'payload'->>'job_id' = :id",
            id=queued["id"],
        )
    )[0]
    await _wait_for_spans(otlp, _trace_of(trace_headers))

    # 2. Tick one session off and rate the generation (its id is the job's).
    done = listed[0]
    patched = await student.call("PATCH", f"/sessions/{done['id']}", json={"status": "completed"})
    assert patched.status_code == 200, patched.text
    feedback = await student.call(
        "POST",
        "/feedback",
        json={"generation_id": queued["id"], "rating": 2, "comments": "Too much history."},
    )
    assert feedback.status_code == 201, feedback.text
    generation = (await student.call("GET", f"/ai/generations/{queued['id']}")).json()
    assert (generation["status"], generation["provider"], generation["feedback"]["rating"]) == (
        "completed",
        "local",
        2,
    )

    # 3. Reschedule: a new active plan, the old one superseded, the completed session kept.
    answer = await student.call("POST", "/ai/plans/reschedule", json={"notes": "Busy evening"})
    assert answer.status_code == 202, answer.text
    assert answer.headers["location"] == f"/api/v1/ai/jobs/{answer.json()['id']}"
    again = await student.finished_job(answer.json()["id"])
    assert (again["kind"], again["status"]) == ("reschedule", "completed"), again
    assert again["plan_id"] != plan_id
    asked_at = datetime.fromisoformat(again["created_at"])

    old = (await student.call("GET", f"/plans/{plan_id}")).json()
    assert old["status"] == "superseded"
    new = (await student.call("GET", "/plans/current")).json()
    assert (new["id"], new["status"], new["generation_id"]) == (
        again["plan_id"],
        "active",
        again["id"],
    )
    by_id = {s["id"]: s for s in new["sessions"]}
    assert by_id[done["id"]]["status"] == "completed"
    assert by_id[done["id"]]["starts_at"] == done["starts_at"]
    placed = [s for s in new["sessions"] if s["id"] != done["id"]]
    assert placed, "a day or more of free time was left, yet nothing was placed"
    assert {s["status"] for s in placed} == {"planned"}
    listed_again = (await student.call("GET", "/sessions")).json()["items"]
    assert {s["id"] for s in listed_again} == set(by_id)

    # Nothing new before the moment the reschedule was asked for (the job's created_at is
    # shown to the second; the request carries the instant).
    rescheduled = await service_tables.plan_request(db, again["id"])
    assert rescheduled.not_before is not None
    assert rescheduled.not_before.replace(microsecond=0) == asked_at
    assert all(datetime.fromisoformat(s["starts_at"]) >= rescheduled.not_before for s in placed)
    assert [str(k.session_id) for k in rescheduled.keep_sessions] == [done["id"]]
    assert validate(rescheduled, _planned(placed)) == []
    # The ai took the feedback given through POST /feedback into the reschedule.
    (seen,) = (
        await service_tables.rows(
            db, "SELECT request->'feedback' FROM ai.generations WHERE id = :id", id=again["id"]
        )
    )[0]
    assert seen == {"rating": 2, "comments": "Too much history.", "adjustments": None}


async def _wait_for_spans(otlp, trace_id: str, timeout: float = 15) -> None:
    wanted = {
        ("planner", "planner.plan_requested publish"),
        ("ai", "planner.plan_requested process"),
        ("ai", "ai.plan_generated publish"),
        ("planner", "ai.plan_generated process"),
    }
    deadline = time.monotonic() + timeout
    while True:
        seen = {(s.service, s.name) for s in otlp.spans if s.trace_id == trace_id}
        if wanted <= seen:
            return
        assert time.monotonic() < deadline, f"missing spans {wanted - seen}"
        await asyncio.sleep(0.1)
