"""A student as the mobile app is one: every step through the gateway's public API."""

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

PASSWORD = "e2e plan flow horse battery"
FINISHED = ("completed", "failed")


def preferences(**changes: Any) -> dict[str, Any]:
    """Preferences with room on every day: the flow works whatever time of the week it runs."""
    values: dict[str, Any] = {
        "timezone": "UTC",
        "week_starts_on": "monday",
        "daily_goal_minutes": 120,
        "session_minutes": 50,
        "break_minutes": 10,
        "availability": [{"weekday": d, "start": "00:00", "end": "24:00"} for d in range(7)],
        "preferred_time_of_day": "any",
    }
    return values | changes


# Three evening hours every day: a few milliseconds of solver per plan, for tests about the
# services around it.
QUICK = preferences(
    availability=[{"weekday": d, "start": "18:00", "end": "21:00"} for d in range(7)]
)


def next_week() -> date:
    """Next week's Monday (UTC): generate allows it, and it lies wholly ahead at any time."""
    today = datetime.now(UTC).date()
    return today - timedelta(days=today.weekday()) + timedelta(days=7)


@dataclass
class Student:
    api: httpx.AsyncClient
    user_id: str
    email: str
    access_token: str

    @classmethod
    async def register(cls, api: httpx.AsyncClient, prefix: str = "student") -> "Student":
        email = f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"
        answer = await api.post("/auth/register", json={"email": email, "password": PASSWORD})
        assert answer.status_code == 201, answer.text
        body = answer.json()
        return cls(api, body["user"]["id"], email, body["tokens"]["access_token"])

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}

    async def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return await self.api.request(method, path, headers=self.headers, **kwargs)

    async def set_preferences(self, values: dict[str, Any]) -> None:
        answer = await self.call("PUT", "/users/preferences", json=values)
        assert answer.status_code == 200, answer.text

    async def add_subject(self, name: str, **fields: Any) -> dict[str, Any]:
        answer = await self.call("POST", "/subjects", json={"name": name, **fields})
        assert answer.status_code == 201, answer.text
        return answer.json()

    async def generate(self, week_start: date | None = None, **body: Any) -> httpx.Response:
        if week_start is not None:
            body["week_start"] = week_start.isoformat()
        return await self.call("POST", "/ai/plans/generate", json=body)

    async def generate_once_onboarded(
        self,
        week_start: date | None = None,
        timeout: float = 30,
    ) -> dict[str, Any]:
        """POST generate until the planner has heard of the preferences (auth's event), then
        return the queued job. One Idempotency-Key: a retry never makes a second job."""
        key = uuid.uuid4().hex
        deadline = time.monotonic() + timeout
        while True:
            body = {} if week_start is None else {"week_start": week_start.isoformat()}
            answer = await self.api.post(
                "/ai/plans/generate", json=body, headers=self.headers | {"Idempotency-Key": key}
            )
            if answer.status_code == 202:
                return answer.json()
            assert answer.status_code == 422, answer.text
            assert answer.json()["code"] == "onboarding_required", answer.text
            assert time.monotonic() < deadline, f"preferences not in the planner in {timeout}s"
            await asyncio.sleep(0.1)

    async def job(self, job_id: str) -> dict[str, Any]:
        answer = await self.call("GET", f"/ai/jobs/{job_id}")
        assert answer.status_code == 200, answer.text
        return answer.json()

    async def finished_job(
        self,
        job_id: str,
        timeout: float = 60,
        interval: float = 0.1,
    ) -> dict[str, Any]:
        """Poll the job as the app does until it is completed or failed."""
        deadline = time.monotonic() + timeout
        while True:
            job = await self.job(job_id)
            if job["status"] in FINISHED:
                return job
            assert time.monotonic() < deadline, f"job {job_id} still {job['status']}"
            await asyncio.sleep(interval)


SUBJECTS = ("Biology", "History", "Chemistry", "Latin")
BATCH = 25
"""Students onboarded at once: a few hundred sign-ups at the same moment would queue on the
gateway and auth of a loaded 2-core box past the client's timeout."""


async def enrol(
    api: httpx.AsyncClient,
    count: int,
    values: dict[str, Any],
    subjects: int = 2,
    prefix: str = "reliable",
) -> list[Student]:
    """Students who signed up, set their availability and have `subjects` subjects, the first
    with an exam next week; `BATCH` at a time."""
    exam = next_week() + timedelta(days=4)

    async def onboarded() -> Student:
        student = await Student.register(api, prefix)
        await student.set_preferences(values)
        await student.add_subject("Calculus", exam_date=str(exam), difficulty=4)
        for n, name in enumerate(SUBJECTS[: subjects - 1]):
            await student.add_subject(name, difficulty=1 + n)
        return student

    students: list[Student] = []
    for first in range(0, count, BATCH):
        size = min(BATCH, count - first)
        students += await asyncio.gather(*(onboarded() for _ in range(size)))
    return students


async def queue_jobs(students: list[Student]) -> list[str]:
    """Each student's job for next week, queued (`BATCH` requests at a time); the job ids."""
    job_ids: list[str] = []
    for first in range(0, len(students), BATCH):
        batch = students[first : first + BATCH]
        queued = await asyncio.gather(*(s.generate_once_onboarded(next_week()) for s in batch))
        job_ids += [job["id"] for job in queued]
    return job_ids
