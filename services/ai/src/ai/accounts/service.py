"""A deleted account in the ai service: its tokens refused, its generations and feedback gone,
and nothing written for it afterwards (a generation in flight ends without storing)."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from ai.accounts import repository
from ai.db import revocations
from schediora_contracts import UserDeleted
from schediora_runtime.security.revocation import lock_user, record_user_deleted, user_erased


async def erase(session: AsyncSession, event: UserDeleted) -> None:
    """Idempotent: a second delivery finds nothing left to delete."""
    await record_user_deleted(session, revocations, event)
    await repository.delete_everything_of(session, event.user_id)


async def erased(session: AsyncSession, user_id: UUID) -> bool:
    return await user_erased(session, revocations, user_id)


async def lock_against_erasure(session: AsyncSession, user_id: UUID) -> None:
    """Waits for an erasure of the user in progress, and keeps one from starting until this
    transaction ends: check `erased` after it, then write."""
    await lock_user(session, user_id)
