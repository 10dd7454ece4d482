"""Handlers for the ai service's outcomes of a job (`planner.messaging` subscribes them)."""

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from planner.generation.domain import ForeignJob
from planner.generation.service import outcomes
from planner.users import service as users
from schediora_contracts import (
    EventEnvelope,
    PlanGenerated,
    PlanGenerationFailed,
    PlanGenerationStarted,
)
from schediora_runtime.messaging.consumer import RejectMessage

Outcome = TypeVar("Outcome", PlanGenerationStarted, PlanGenerated, PlanGenerationFailed)


async def on_plan_generation_started(
    session: AsyncSession, event: PlanGenerationStarted, _envelope: EventEnvelope
) -> None:
    await _apply(session, event, outcomes.record_started)


async def on_plan_generated(
    session: AsyncSession, event: PlanGenerated, _envelope: EventEnvelope
) -> None:
    await _apply(session, event, outcomes.record_generated)


async def on_plan_generation_failed(
    session: AsyncSession, event: PlanGenerationFailed, _envelope: EventEnvelope
) -> None:
    await _apply(session, event, outcomes.record_failed)


async def _apply(
    session: AsyncSession,
    event: Outcome,
    record: Callable[[AsyncSession, Outcome], Awaitable[None]],
) -> None:
    """Apply an outcome unless its user is gone (the job went with the account); one naming
    a job that is not the user's never applies: straight to the dead-letter queue."""
    if await users.erased(session, event.user_id):
        return
    try:
        await record(session, event)
    except ForeignJob as exc:
        raise RejectMessage(str(exc)) from exc
