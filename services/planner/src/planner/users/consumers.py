"""Handlers for auth's events about users."""

from sqlalchemy.ext.asyncio import AsyncSession

from planner.users import service
from schediora_contracts import EventEnvelope, UserPreferencesUpdated, UserRegistered


async def on_user_registered(
    session: AsyncSession, event: UserRegistered, _envelope: EventEnvelope
) -> None:
    await service.record_registration(session, event.user_id)


async def on_user_preferences_updated(
    session: AsyncSession, event: UserPreferencesUpdated, _envelope: EventEnvelope
) -> None:
    await service.replace_preferences(session, event.user_id, event.preferences, event.updated_at)
