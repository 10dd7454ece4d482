"""Use cases of the user copy: keep the planner's view of each user in step with auth."""

from datetime import datetime
from uuid import UUID

from psycopg import AsyncConnection
from sqlalchemy.ext.asyncio import AsyncSession

from planner.db import revocations
from planner.users import repository
from planner.users.domain import Calendar
from planner.users.models import PlannerUser
from schediora_contracts import UserDeleted
from schediora_contracts.common import Preferences
from schediora_runtime.security.revocation import record_user_deleted, user_erased


async def erased(session: AsyncSession, user_id: UUID) -> bool:
    """Whether auth deleted the user: then nothing is written for them any more."""
    return await user_erased(session, revocations, user_id)


async def erase(session: AsyncSession, event: UserDeleted) -> None:
    """Refuse the user's tokens and delete everything the planner keeps of them: the user copy,
    and with it (ON DELETE CASCADE) subjects, plans, sessions and jobs. Idempotent."""
    await record_user_deleted(session, revocations, event)
    await repository.delete(session, event.user_id)


async def record_registration(session: AsyncSession, user_id: UUID) -> None:
    await repository.ensure(session, user_id)


async def replace_preferences(
    session: AsyncSession, user_id: UUID, preferences: Preferences, as_of: datetime
) -> bool:
    """Store the full preferences; events can arrive out of order, so the newest one wins."""
    values = preferences.model_dump(mode="json")
    return await repository.replace_preferences(session, user_id, values, as_of)


async def lock(session: AsyncSession, user_id: UUID) -> None:
    """Ensure the user's row and lock it until commit: per-user limit checks run one at a time."""
    # The row may have to precede auth's `UserRegistered` event, which can arrive later.
    await repository.ensure(session, user_id)
    await repository.lock(session, user_id)


async def get(session: AsyncSession, user_id: UUID) -> PlannerUser | None:
    """The user's copy, or None before the planner has heard of them."""
    return await repository.get(session, user_id)


def preferences(user: PlannerUser | None) -> Preferences | None:
    """The user's preferences as auth last published them; None until they have set them."""
    if user is None or user.preferences_updated_at is None:
        return None
    return Preferences.model_validate(
        {field: getattr(user, field) for field in Preferences.model_fields}
    )


def calendar_of(user: PlannerUser | None) -> Calendar:
    """The calendar of a loaded user row; UTC and Monday until they have set them."""
    if user is None:
        return Calendar()
    return Calendar(user.timezone, user.week_starts_on)


async def calendar(session: AsyncSession, user_id: UUID) -> Calendar:
    """The user's time zone and first weekday; UTC and Monday until they have set them."""
    fields = await repository.calendar_fields(session, user_id)
    if fields is None:
        return Calendar()
    return Calendar(*fields)


async def read_calendar(connection: AsyncConnection, user_id: UUID) -> Calendar:
    """`calendar` on a read connection, for reads that need no transaction."""
    fields = await repository.read_calendar_fields(connection, user_id)
    if fields is None:
        return Calendar()
    return Calendar(*fields)
