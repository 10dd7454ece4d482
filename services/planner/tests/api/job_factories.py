"""Helpers for the AI jobs tests: the ai service's side of a job, played by the test."""

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from planner.db import outbox
from schediora_contracts import (
    PlanGenerated,
    PlanGenerationFailed,
    PlanGenerationStarted,
    PlanRequested,
)
from schediora_contracts.common import PlannedSession
from schediora_runtime.messaging.codec import wrap
from schediora_testkit import testing

from .plan_factories import NOW

GENERATE = "/api/v1/ai/plans/generate"
RESCHEDULE = "/api/v1/ai/plans/reschedule"
WEEKLY = "/api/v1/ai/plans/status/weekly"
JOBS = "/api/v1/ai/jobs"


async def requests_in_outbox(app, job_id: str) -> list[PlanRequested]:
    """The PlanRequested events the planner's outbox holds for the job."""
    async with app.state.runtime.sessionmaker() as session:
        rows = await session.scalars(
            select(outbox.c.envelope).where(outbox.c.event_type == PlanRequested.event_type)
        )
        events = [PlanRequested.model_validate(envelope["payload"]) for envelope in rows]
    return [event for event in events if str(event.job_id) == job_id]


async def answer(app, settings, *events: Any) -> None:
    """Publish events as the ai service would, on the planner's test exchange."""
    envelopes = [wrap(event, producer="ai") for event in events]
    await testing.publish(settings.rabbitmq_url, settings.events_exchange, *envelopes)


def started(request: PlanRequested) -> PlanGenerationStarted:
    return PlanGenerationStarted(job_id=request.job_id, user_id=request.user_id, started_at=NOW)


def generated(request: PlanRequested, sessions: list[PlannedSession], **fields: Any):
    return PlanGenerated(
        job_id=request.job_id,
        user_id=fields.pop("user_id", request.user_id),
        generation_id=request.job_id,
        kind=request.kind,
        week_start=request.week_start,
        provider="local",
        sessions=tuple(sessions),
        generated_at=NOW + timedelta(seconds=2),
        **fields,
    )


def failed(request: PlanRequested, code: str = "no_available_time") -> PlanGenerationFailed:
    return PlanGenerationFailed(
        job_id=request.job_id,
        user_id=request.user_id,
        code=code,
        message="Nothing fits.",
        failed_at=NOW + timedelta(seconds=2),
    )


def planned(subject_id, starts_at, minutes: int = 50, title: str = "Calculus") -> PlannedSession:
    return PlannedSession(
        subject_id=subject_id,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        rationale="Calculus exam in 3 days",
    )
