"""Queries on queued mails and mailed tokens; never commits."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.mail.models import MailedToken, PendingMail


def add(session: AsyncSession, row: PendingMail | MailedToken) -> None:
    session.add(row)


async def next_due(session: AsyncSession, now: datetime) -> PendingMail | None:
    """The oldest mail whose attempt is due, locked; another worker skips it."""
    return await session.scalar(
        select(PendingMail)
        .where(PendingMail.next_attempt_at <= now)
        .order_by(PendingMail.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )


async def get(session: AsyncSession, mail_id: int) -> PendingMail | None:
    return await session.get(PendingMail, mail_id, with_for_update=True)


async def remove(session: AsyncSession, mail: PendingMail) -> None:
    await session.delete(mail)


async def token_for_update(session: AsyncSession, token_hash: bytes) -> MailedToken | None:
    return await session.scalar(
        select(MailedToken).where(MailedToken.token_hash == token_hash).with_for_update()
    )


async def purge_tokens(session: AsyncSession, now: datetime) -> None:
    """Spent and expired tokens are of no use any more."""
    await session.execute(
        delete(MailedToken).where(
            or_(MailedToken.expires_at <= now, MailedToken.used_at.isnot(None))
        )
    )


async def spend_tokens(session: AsyncSession, user_id: UUID, purpose: str, now: datetime) -> None:
    """Every unused token of that purpose ends (a reset ends the other reset links)."""
    for token in await session.scalars(
        select(MailedToken).where(
            MailedToken.user_id == user_id,
            MailedToken.purpose == purpose,
            MailedToken.used_at.is_(None),
        )
    ):
        token.used_at = now
