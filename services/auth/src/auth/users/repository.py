"""Queries on accounts and preferences; never commits."""

from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from psycopg.rows import dict_row
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from auth.users.models import OnboardingPreferences, User

_PROFILE = """
    SELECT u.id, u.email, u.display_name, u.created_at,
           u.email_verified_at IS NOT NULL AS email_verified,
           p.user_id IS NOT NULL AS has_preferences,
           p.timezone, p.week_starts_on, p.daily_goal_minutes, p.session_minutes,
           p.break_minutes, p.availability, p.preferred_time_of_day
    FROM users u LEFT JOIN onboarding_preferences p ON p.user_id = u.id
    WHERE u.id = %s
"""


async def profile_row(connection: AsyncConnection, user_id: UUID) -> dict[str, Any] | None:
    """The user's profile columns and preferences in one row, read without a transaction."""
    cursor = connection.cursor(row_factory=dict_row)
    await cursor.execute(_PROFILE, (user_id,))
    return await cursor.fetchone()


async def get_preferences(session: AsyncSession, user_id: UUID) -> OnboardingPreferences | None:
    return await session.get(OnboardingPreferences, user_id)


async def get_for_update(session: AsyncSession, user_id: UUID) -> User | None:
    return await session.scalar(select(User).where(User.id == user_id).with_for_update())


async def get_for_change(session: AsyncSession, user_id: UUID) -> User | None:
    """Locks the row FOR NO KEY UPDATE: changes to one account run one at a time, while rows
    that reference it (a mail being sent, a token) can still be added meanwhile."""
    return await session.scalar(
        select(User).where(User.id == user_id).with_for_update(key_share=True)
    )


async def get_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(func.lower(User.email) == email.lower()))


async def email_exists(session: AsyncSession, email: str) -> bool:
    return await get_by_email(session, email) is not None


async def add(session: AsyncSession, user: User) -> None:
    """Insert now (in a savepoint), so a taken email raises `IntegrityError` here."""
    async with session.begin_nested():
        session.add(user)
        await session.flush()


async def replace_preferences(session: AsyncSession, user_id: UUID, values: dict[str, Any]) -> None:
    statement = insert(OnboardingPreferences).values(user_id=user_id, **values)
    await session.execute(statement.on_conflict_do_update(index_elements=["user_id"], set_=values))


async def get(session: AsyncSession, user_id: UUID) -> User | None:
    return await session.get(User, user_id)


async def get_unless_being_deleted(session: AsyncSession, user_id: UUID) -> User | None:
    """The user, with a KEY SHARE lock so rows referencing it can be added; None when it is gone
    or its deletion holds the row (SKIP LOCKED: never wait on it, see `mail.claim_next`)."""
    return await session.scalar(
        select(User)
        .where(User.id == user_id)
        .with_for_update(key_share=True, read=True, skip_locked=True)
    )


async def delete(session: AsyncSession, user: User) -> None:
    """Delete the account; its tokens, preferences and mails go with it (ON DELETE CASCADE)."""
    await session.delete(user)
    await session.flush()
