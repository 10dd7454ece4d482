"""Handlers for auth's events about users."""

from sqlalchemy.ext.asyncio import AsyncSession

from planner.users import service
from schediora_contracts import EventEnvelope, UserDeleted, UserPreferencesUpdated, UserRegistered


async def on_user_registered(
    session: AsyncSession, event: UserRegistered, _envelope: EventEnvelope
) -> None:
    if not await service.erased(session, event.user_id):
        await service.record_registration(session, event.user_id)


async def on_user_preferences_updated(
    session: AsyncSession, event: UserPreferencesUpdated, _envelope: EventEnvelope
) -> None:
    if not await service.erased(session, event.user_id):
        await service.replace_preferences(
            session, event.user_id, event.preferences, event.updated_at
        )


async def on_user_deleted(
    session: AsyncSession, event: UserDeleted, _envelope: EventEnvelope
) -> None:
    await service.erase(session, event)
