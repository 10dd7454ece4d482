"""Queries on AI jobs, always scoped by the owner except where an event names the job; never
commits."""

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

from sqlalchemy import Row, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from planner.generation.domain import GENERATION_TIMEOUT, IN_FLIGHT
from planner.generation.models import IDEMPOTENCY_INDEX, IN_FLIGHT_INDEX, AiJob
from schediora_runtime.database import violated_constraint


class JobInFlight(Exception):
    """A queued or running job already holds the user's week."""


class KeyTaken(Exception):
    """Another job of the user already has this Idempotency-Key."""


async def get(session: AsyncSession, user_id: UUID, job_id: UUID) -> AiJob | None:
    return await session.scalar(select(AiJob).where(AiJob.id == job_id, AiJob.user_id == user_id))


async def get_for_event(session: AsyncSession, job_id: UUID) -> AiJob | None:
    """The job an event names, locked until commit: its outcomes are applied one at a time.
    The caller checks that the event's user owns it."""
    return await session.scalar(select(AiJob).where(AiJob.id == job_id).with_for_update())


async def by_idempotency_key(session: AsyncSession, user_id: UUID, key: str) -> AiJob | None:
    return await session.scalar(
        select(AiJob).where(AiJob.user_id == user_id, AiJob.idempotency_key == key)
    )


async def in_flight(session: AsyncSession, user_id: UUID, week_start: date) -> AiJob | None:
    return await session.scalar(
        select(AiJob).where(
            AiJob.user_id == user_id,
            AiJob.week_start == week_start,
            AiJob.status.in_(IN_FLIGHT),
        )
    )


async def latest(session: AsyncSession, user_id: UUID, week_start: date) -> AiJob | None:
    return await session.scalar(
        select(AiJob)
        .where(AiJob.user_id == user_id, AiJob.week_start == week_start)
        .order_by(AiJob.created_at.desc(), AiJob.id.desc())
        .limit(1)
    )


async def add(session: AsyncSession, job: AiJob) -> None:
    """Insert the job; the partial unique indexes turn a race into `JobInFlight`/`KeyTaken`."""
    try:
        # A savepoint keeps the transaction usable after a conflict (to read the winner).
        async with session.begin_nested():
            session.add(job)
            await session.flush()
    except IntegrityError as exc:
        constraint = violated_constraint(exc)
        if constraint == IN_FLIGHT_INDEX:
            raise JobInFlight from exc
        if constraint == IDEMPOTENCY_INDEX:
            raise KeyTaken from exc
        raise


async def created_since(
    session: AsyncSession, user_id: UUID, since: datetime
) -> tuple[int, datetime | None]:
    """How many jobs the user created after `since`, and the oldest one's creation time."""
    count, oldest = (
        await session.execute(
            select(func.count(), func.min(AiJob.created_at)).where(
                AiJob.user_id == user_id, AiJob.created_at > since
            )
        )
    ).one()
    return count, oldest


async def fail_overdue(session: AsyncSession, now: datetime) -> Sequence[Row]:
    """Fail every job still waiting for an outcome past its deadline; their id, kind,
    created_at and started_at."""
    statement = (
        update(AiJob)
        .where(AiJob.status.in_(IN_FLIGHT), AiJob.deadline_at < now)
        .values(
            status="failed",
            error_code=GENERATION_TIMEOUT,
            error_message="No plan arrived in time; you can ask again.",
            finished_at=now,
        )
        .returning(AiJob.id, AiJob.kind, AiJob.created_at, AiJob.started_at)
    )
    return (await session.execute(statement)).all()
