"""A deleted account in the ai service: its tokens refused, its generations and feedback gone,
and nothing written for it afterwards (a generation in flight ends without storing)."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from ai.accounts import repository
from ai.db import revocations
from schediora_contracts import UserDeleted
from schediora_runtime.security.revocation import lock_user, record_user_deleted, user_erased


class UserErased(Exception):
    """The user was deleted while their plan was being made: nothing may be stored. Raised
    before commit, so the transaction rolls back; the redelivered request is then dropped."""


async def erase(session: AsyncSession, event: UserDeleted) -> None:
    """Idempotent: a second delivery finds nothing left to delete."""
    await record_user_deleted(session, revocations, event)
    await repository.delete_everything_of(session, event.user_id)


async def erased(session: AsyncSession, user_id: UUID) -> bool:
    return await user_erased(session, revocations, user_id)


async def ensure_not_erased(session: AsyncSession, user_id: UUID) -> None:
    """Before a write for the user commits: waits for an erasure in progress (the user's
    lock, which the erasure holds until it commits), then refuses if it happened."""
    await lock_user(session, user_id)
    if await erased(session, user_id):
        raise UserErased(str(user_id))
