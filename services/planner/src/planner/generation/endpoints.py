"""`/api/v1/ai/plans` and `/api/v1/ai/jobs`: ask for a generated or rescheduled week and follow
the job (docs/api.md: AI planning)."""

from contextlib import aclosing
from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Header, Query, Request, Response
from sse_starlette import EventSourceResponse, ServerSentEvent

from planner.deps import CurrentUser, JobDeadline, JobWatchDep, Now, Quota, SessionDep
from planner.generation.models import AiJob
from planner.generation.schemas import (
    RESCHEDULE_EXAMPLES,
    GenerateRequest,
    JobRead,
    RescheduleRequest,
    WeeklyStatus,
)
from planner.generation.service import requests, views
from planner.generation.service.weekly_status import weekly_status as status_of_week
from schediora_runtime.lean_routes import LeanRoute
from schediora_runtime.links import documented_links, link
from schediora_runtime.problems import documented_problems

router = APIRouter(prefix="/api/v1/ai", tags=["ai planning"], route_class=LeanRoute)

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="A retried POST with the same key answers with the same job.",
    ),
]


_FOLLOW_JOB = documented_links(
    202, get_job=link("GET", "/api/v1/ai/jobs/{job_id}", job_id="$response.body#/id")
)


def _accepted(job: AiJob, response: Response) -> JobRead:
    response.headers["Location"] = f"/api/v1/ai/jobs/{job.id}"
    return views.read(job)


@router.post(
    "/plans/generate",
    status_code=202,
    responses=documented_problems(401, 409, 422, 429) | _FOLLOW_JOB,
)
async def generate(
    user_id: CurrentUser,
    session: SessionDep,
    now: Now,
    deadline: JobDeadline,
    quota: Quota,
    response: Response,
    body: GenerateRequest,
    idempotency_key: IdempotencyKey = None,
) -> JobRead:
    """Queue the generation of the current (or next) week's plan; poll the job it returns."""
    job = await requests.generate(
        session,
        user_id,
        body,
        now=now,
        deadline=deadline,
        idempotency_key=idempotency_key,
        quota=quota,
    )
    return _accepted(job, response)


@router.post(
    "/plans/reschedule",
    status_code=202,
    responses=documented_problems(401, 404, 409, 422, 429) | _FOLLOW_JOB,
)
async def reschedule(
    user_id: CurrentUser,
    session: SessionDep,
    now: Now,
    deadline: JobDeadline,
    quota: Quota,
    response: Response,
    body: Annotated[RescheduleRequest, Body(openapi_examples=RESCHEDULE_EXAMPLES)],
    idempotency_key: IdempotencyKey = None,
) -> JobRead:
    """Queue a new plan for the rest of this week, keeping completed and in-progress sessions
    and taking your feedback on the current plan in: a rating, a comment, and `adjustments`
    (the app's chips). A subject in `more`/`less` that is not yours is a 422 `unknown_subject`;
    the finished job's `feedback` says what was understood, applied and not met."""
    job = await requests.reschedule(
        session,
        user_id,
        body,
        now=now,
        deadline=deadline,
        idempotency_key=idempotency_key,
        quota=quota,
    )
    return _accepted(job, response)


@router.get("/plans/status/weekly", responses=documented_problems(401, 422))
async def weekly_status(
    user_id: CurrentUser,
    session: SessionDep,
    now: Now,
    week_start: Annotated[
        date | None, Query(description="The current week (default) or the next one.")
    ] = None,
) -> WeeklyStatus:
    """Whether you can ask for a plan for the week, and the week's latest job."""
    return await status_of_week(session, user_id, now, week_start)


@router.get("/jobs/{job_id}", responses=documented_problems(401, 404, 422))
async def get_job(user_id: CurrentUser, session: SessionDep, job_id: UUID) -> JobRead:
    """One of your jobs; `completed` means its sessions are already in `/sessions`."""
    return views.read(await views.get_or_404(session, user_id, job_id))


EVENT_STREAM = "text/event-stream"


@router.get(
    "/jobs/{job_id}/events",
    response_class=EventSourceResponse,
    responses={
        200: {
            "description": "Server-Sent Events: `event: job`, `data:` the `Job`, now and at "
            "every change until it is completed or failed; `: keep-alive` comments meanwhile",
            "content": {EVENT_STREAM: {"schema": {"type": "string"}}},
        }
    }
    | documented_problems(401, 404, 422),
)
async def job_events(
    user_id: CurrentUser,
    session: SessionDep,
    watch: JobWatchDep,
    request: Request,
    job_id: UUID,
) -> EventSourceResponse:
    """Follow one of your jobs live: its state now, then one message per change; the stream
    ends after `completed` or `failed`."""
    await views.get_or_404(session, user_id, job_id)
    states = watch.states(request.app.state.runtime.sessionmaker, user_id, job_id)
    keepalive = request.app.state.settings.job_events_keepalive_seconds

    async def messages():
        # Closed with the response however it ends, so the job's waiter goes with it.
        async with aclosing(states):
            async for job in states:
                yield ServerSentEvent(data=job.model_dump_json(), event="job")

    return EventSourceResponse(
        messages(),
        ping=keepalive,
        ping_message_factory=lambda: ServerSentEvent(comment="keep-alive"),
        headers={"Cache-Control": "no-cache"},
    )
