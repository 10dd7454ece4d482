"""The first plan right after onboarding (the preferences race): 50 students with Sunday weeks
in time zones around the world sign up, save their preferences, add subjects and ask for next
week's plan at once, six at a time, through the gateway. The planner learns the preferences from
auth's event, which may still be on its way: the client does what services/planner/README.md
says (on `422 onboarding_required`, wait `Retry-After` and send the same request again with the
same Idempotency-Key), and every student gets a completed plan for the Sunday week they asked for.

The relays here poll at the production default (1 s), not the test stacks' 0.2 s, so a lost
wake-up costs what it would cost in production. Printed `FIGURES` (`pytest -s`): how many first
requests were answered `onboarding_required`, and retries; no time is asserted.
"""

import asyncio
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from . import service_tables
from .isolated import isolated_stack
from .students import Student, preferences

pytestmark = pytest.mark.e2e

STUDENTS = 50
AT_ONCE = 6
# West to east, with half-hour and 45-minute offsets and both sides of the date line.
TIMEZONES = (
    "Pacific/Pago_Pago",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "UTC",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Tokyo",
    "Australia/Adelaide",
    "Pacific/Kiritimati",
)
EVENINGS = [{"weekday": d, "start": "18:00", "end": "21:00"} for d in range(7)]
# What the README allows a client right after onboarding before it gives up.
MAX_ONBOARDING_RETRIES = 10


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    settings = {
        "OUTBOX_POLL_INTERVAL_SECONDS": "1.0",
        "PASSWORD_TIME_COST": "1",
        "PASSWORD_MEMORY_KIB": "8",
        "PASSWORD_HASHING_CONCURRENCY": "4",
    }
    log_dir = tmp_path_factory.mktemp("first-generation-logs")
    with isolated_stack(log_dir, "first_generation", settings) as stack:
        yield stack


def next_sunday_week(timezone: str) -> date:
    """The Sunday that starts next week, as the app computes it on the student's phone."""
    today = datetime.now(UTC).astimezone(ZoneInfo(timezone)).date()
    this_week = today - timedelta(days=(today.weekday() + 1) % 7)
    return this_week + timedelta(days=7)


async def first_plan(api: httpx.AsyncClient, n: int, answers: Counter[str]) -> dict[str, Any]:
    """One student's onboarding and first generation, as the app does it; the queued job and
    the week asked for."""
    timezone = TIMEZONES[n % len(TIMEZONES)]
    student = await Student.register(api, "first-plan")
    await student.set_preferences(
        preferences(timezone=timezone, week_starts_on="sunday", availability=EVENINGS)
    )
    await asyncio.gather(
        student.add_subject("Calculus", difficulty=4),
        student.add_subject("Biology", difficulty=2),
    )
    week = next_sunday_week(timezone)
    key = uuid.uuid4().hex
    for attempt in range(MAX_ONBOARDING_RETRIES + 1):
        answer = await api.post(
            "/ai/plans/generate",
            json={"week_start": week.isoformat()},
            headers=student.headers | {"Idempotency-Key": key},
        )
        if answer.status_code == 202:
            answers["202 at once" if attempt == 0 else "202 after retrying"] += 1
            return {"student": student, "job": answer.json(), "week": week}
        # The README: only onboarding_required (preferences not received yet) is retried.
        assert answer.status_code == 422, answer.text
        body = answer.json()
        assert body["code"] == "onboarding_required", answer.text
        assert body["preferences_received"] is False, answer.text
        answers["onboarding_required"] += 1
        await asyncio.sleep(float(answer.headers["Retry-After"]))
    raise AssertionError(f"still onboarding_required after {MAX_ONBOARDING_RETRIES} retries")


async def test_fifty_sunday_week_students_generate_right_after_onboarding_and_all_complete(stack):
    answers: Counter[str] = Counter()
    turns = asyncio.Semaphore(AT_ONCE)

    # Connections idle for a while (a student waiting out Retry-After, or for a hashing slot)
    # are not reused: uvicorn closes them after 5 s, and a request sent as it does so fails.
    limits = httpx.Limits(keepalive_expiry=1)
    async with httpx.AsyncClient(
        base_url=f"{stack.gateway}/api/v1", timeout=60, limits=limits
    ) as api:

        async def in_turn(n: int) -> dict[str, Any]:
            async with turns:
                return await first_plan(api, n, answers)

        asked = await asyncio.gather(*(in_turn(n) for n in range(STUDENTS)))
        finished = await asyncio.gather(
            *(a["student"].finished_job(a["job"]["id"], timeout=180, interval=0.2) for a in asked)
        )

    assert [job["status"] for job in finished] == ["completed"] * STUDENTS, [
        job["error"] for job in finished if job["status"] != "completed"
    ]
    assert [job["week_start"] for job in finished] == [a["week"].isoformat() for a in asked]
    assert {date.fromisoformat(job["week_start"]).weekday() for job in finished} == {6}
    # One job per student: the retries were answered, never queued twice.
    db = service_tables.engine(stack.database)
    try:
        jobs = await service_tables.rows(
            db,
            "SELECT user_id::text, count(*) FROM planner.ai_jobs "
            "WHERE user_id = ANY(CAST(:ids AS uuid[])) GROUP BY user_id",
            ids=[a["student"].user_id for a in asked],
        )
    finally:
        await db.dispose()
    assert sorted(count for _, count in jobs) == [1] * STUDENTS
    print(f"\nFIGURES first generation of {STUDENTS}, {AT_ONCE} at a time: {dict(answers)}")
