"""Queries on accounts and preferences; never commits."""

from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from auth.users.models import OnboardingPreferences, User


async def get_with_preferences(
    session: AsyncSession, user_id: UUID
) -> tuple[User, OnboardingPreferences | None] | None:
    row = (
        await session.execute(
            select(User, OnboardingPreferences)
            .outerjoin(OnboardingPreferences, OnboardingPreferences.user_id == User.id)
            .where(User.id == user_id)
        )
    ).one_or_none()
    return None if row is None else (row[0], row[1])


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


async def delete(session: AsyncSession, user: User) -> None:
    """Delete the account; its tokens, preferences and mails go with it (ON DELETE CASCADE)."""
    await session.delete(user)
    await session.flush()
