"""Handler for the planner's PlanRequested."""

from sqlalchemy.ext.asyncio import AsyncSession

from ai.generations import service
from ai.providers import Provider
from schediora_contracts import EventEnvelope, PlanRequested
from schediora_runtime.messaging.consumer import Handler


def on_plan_requested(provider: Provider) -> Handler:
    """The handler, bound to the provider the settings chose."""

    async def handle(session: AsyncSession, event: PlanRequested, _envelope: EventEnvelope) -> None:
        await service.generate(session, event, provider)

    return handle
