"""Requests and LLM answers for the provider tests, and reading back what a generation left."""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ai.db import outbox, processed_events
from ai.generations import service
from ai.generations.models import Generation
from ai.providers import Provider
from schediora_contracts import PlanRequested
from schediora_contracts.common import PlannedSession, SessionSnapshot
from schediora_runtime.messaging.inbox import claim_event

from ..api.requests import WEEK_START, plan_request

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant on the test week's `day` (0 = Monday 2030-01-07), Berlin wall time."""
    return datetime.combine(WEEK_START + timedelta(days=day), time(hour, minute), BERLIN)


def reschedule_request() -> PlanRequested:
    """A reschedule with everything the prompt carries: kept and previous sessions, feedback,
    notes and `not_before`."""
    base = plan_request(uuid.uuid4())
    calculus, biology = base.subjects
    kept = SessionSnapshot(
        session_id=uuid.uuid4(),
        subject_id=biology.subject_id,
        title="Biology",
        starts_at=berlin(1, 18),
        ends_at=berlin(1, 18, 50),
        status="completed",
    )
    replaced = SessionSnapshot(
        session_id=uuid.uuid4(),
        subject_id=calculus.subject_id,
        title="Calculus",
        starts_at=berlin(2, 19),
        ends_at=berlin(2, 19, 50),
        status="planned",
    )
    return plan_request(
        base.user_id,
        kind="reschedule",
        subjects=base.subjects,
        keep_sessions=(kept,),
        previous_sessions=(kept, replaced),
        feedback={"rating": 2, "comments": "Too much calculus on one day"},
        notes="Shorter evenings please",
        not_before=berlin(0, 12).astimezone(UTC),
    )


def calendar(sessions: Sequence[PlannedSession], *, title: str = "LLM") -> list[dict[str, Any]]:
    """Sessions as an LLM answers them: local times with their offset, its own titles."""
    return [
        {
            "subject_id": str(session.subject_id),
            "title": f"{title} {session.title}",
            "starts_at": session.starts_at.astimezone(BERLIN).isoformat(),
            "ends_at": session.ends_at.astimezone(BERLIN).isoformat(),
            "rationale": "The exam is close.",
        }
        for session in sessions
    ]


def clashing(request: PlanRequested) -> list[dict[str, Any]]:
    """Two sessions at once, at 03:00 on Monday: outside every window, and overlapping."""
    subject = request.subjects[0]
    session = {
        "subject_id": str(subject.subject_id),
        "title": "Night owl",
        "starts_at": berlin(0, 3).isoformat(),
        "ends_at": berlin(0, 3, 50).isoformat(),
        "rationale": "Early start.",
    }
    return [session, session]


async def generate(
    sessionmaker: async_sessionmaker[AsyncSession], request: PlanRequested, provider: Provider
) -> None:
    """The consumer's use case, in its own transactions, for a delivery of its own."""
    await service.generate(sessionmaker, request, provider, new_delivery())


def new_delivery():
    """The claim of one new event id, as the consumer passes it for one delivery."""
    event_id = uuid.uuid4()

    async def claim(session: AsyncSession) -> bool:
        return await claim_event(session, processed_events, event_id, PlanRequested.event_type)

    return claim


async def stored(sessionmaker: async_sessionmaker[AsyncSession], job_id: uuid.UUID) -> Generation:
    async with sessionmaker() as session:
        generation = await session.get(Generation, job_id)
    assert generation is not None
    return generation


async def events(
    sessionmaker: async_sessionmaker[AsyncSession], job_id: uuid.UUID
) -> list[tuple[str, dict]]:
    """(type, payload) of every event in the ai outbox about the job, in order."""
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(outbox.c.envelope)
            .where(outbox.c.envelope["payload"]["job_id"].astext == str(job_id))
            .order_by(outbox.c.id)
        )
        return [(envelope["type"], envelope["payload"]) for envelope in rows]
