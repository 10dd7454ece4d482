"""Handler for the planner's PlanRequested."""

from sqlalchemy.ext.asyncio import AsyncSession

from ai.accounts import service as accounts
from ai.generations import service
from ai.providers import Provider
from schediora_contracts import EventEnvelope, PlanRequested
from schediora_runtime.messaging.consumer import Handler


def on_plan_requested(provider: Provider) -> Handler:
    """The handler, bound to the provider the settings chose."""

    async def handle(session: AsyncSession, event: PlanRequested, _envelope: EventEnvelope) -> None:
        if await accounts.erased(session, event.user_id):
            return  # the account was deleted: its jobs end without writing anything
        await service.generate(session, event, provider)
        # Deleted meanwhile? Then roll all of it back (the erasure may be running right now).
        await accounts.ensure_not_erased(session, event.user_id)

    return handle
