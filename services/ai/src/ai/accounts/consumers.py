"""Handler for auth's UserDeleted."""

from sqlalchemy.ext.asyncio import AsyncSession

from ai.accounts import service
from schediora_contracts import EventEnvelope, UserDeleted


async def on_user_deleted(
    session: AsyncSession, event: UserDeleted, _envelope: EventEnvelope
) -> None:
    await service.erase(session, event)
