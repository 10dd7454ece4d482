"""Handlers for the ai service's outcomes of a job."""

from sqlalchemy.ext.asyncio import AsyncSession

from planner.jobs import service
from planner.users import service as users
from schediora_contracts import (
    EventEnvelope,
    PlanGenerated,
    PlanGenerationFailed,
    PlanGenerationStarted,
)


async def on_plan_generation_started(
    session: AsyncSession, event: PlanGenerationStarted, _envelope: EventEnvelope
) -> None:
    if not await users.erased(session, event.user_id):  # its job went with the account
        await service.record_started(session, event)


async def on_plan_generated(
    session: AsyncSession, event: PlanGenerated, _envelope: EventEnvelope
) -> None:
    if not await users.erased(session, event.user_id):  # its job went with the account
        await service.record_generated(session, event)


async def on_plan_generation_failed(
    session: AsyncSession, event: PlanGenerationFailed, _envelope: EventEnvelope
) -> None:
    if not await users.erased(session, event.user_id):  # its job went with the account
        await service.record_failed(session, event)
