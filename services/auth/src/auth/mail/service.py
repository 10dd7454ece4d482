"""Account mails: queue one (in the caller's transaction), deliver due ones, redeem a token.

A mail is queued with the state change that calls for it, and sent later by the mail worker:
one transaction claims it (leases it and stores its link's token as a hash), the worker sends
it, a second transaction deletes it, or, if sending failed, lets it wait
`min(2^(attempts-1), mail_retry_max_seconds)` seconds before the next try; so a mail server that
is down for a while loses nothing (at least once: a worker dying after the send sends again)."""

import hashlib
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from auth.mail import repository
from auth.mail.messages import compose, link
from auth.mail.models import MailedToken, PendingMail
from auth.settings import Settings
from auth.users import repository as users

logger = logging.getLogger(__name__)

TOKEN_BYTES = 32
LEASE = timedelta(seconds=60)
"""How long one attempt holds a mail; longer than an SMTP exchange may take (its timeout)."""


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


def enqueue(session: AsyncSession, user_id: UUID, kind: str, now: datetime) -> None:
    repository.add(
        session,
        PendingMail(user_id=user_id, kind=kind, created_at=now, next_attempt_at=now, attempts=0),
    )


def _lifetime(settings: Settings, kind: str) -> timedelta:
    seconds = (
        settings.reset_token_ttl_seconds
        if kind == "reset_password"
        else settings.verification_token_ttl_seconds
    )
    return timedelta(seconds=seconds)


def retry_delay(attempts: int, longest: float) -> timedelta:
    """Exponential backoff: 1, 2, 4, ... seconds, never more than `longest`."""
    return timedelta(seconds=min(longest, 2.0 ** max(0, attempts - 1)))


@dataclass(frozen=True)
class Claimed:
    mail_id: int
    kind: str
    attempts: int
    message: EmailMessage


async def claim_next(session: AsyncSession, settings: Settings, now: datetime) -> Claimed | None:
    """Take the oldest due mail for one attempt: its link's token is stored (as a hash) and
    the mail leased for `LEASE`, in the caller's transaction, which commits before sending;
    so the link works as soon as the mail arrives, and a worker that dies mid-send leaves the
    mail to be tried again when the lease ends. None when no mail is due."""
    while (mail := await repository.next_due(session, now)) is not None:
        if mail.created_at > now - timedelta(seconds=settings.mail_give_up_seconds):
            break
        logger.error(
            "dropped a %s mail undelivered after %d attempts: %s",
            mail.kind,
            mail.attempts,
            mail.last_error,
        )
        await repository.remove(session, mail)
    if mail is None:
        return None
    # The mail's row is locked; wait on the user's row and an account deletion, which locks the
    # user's row and then the mails it cascades to, would deadlock with us. Skip such a mail:
    # it goes with its user.
    user = await users.get_unless_being_deleted(session, mail.user_id)
    if user is None:
        return None
    token = secrets.token_urlsafe(TOKEN_BYTES)
    lifetime = _lifetime(settings, mail.kind)
    repository.add(
        session,
        MailedToken(
            id=uuid.uuid4(),
            user_id=user.id,
            purpose=mail.kind,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=now + lifetime,
        ),
    )
    mail.next_attempt_at = now + LEASE
    message = compose(
        mail.kind,
        to=user.email,
        url=link(settings.app_base_url, mail.kind, token),
        valid_minutes=int(lifetime.total_seconds() // 60),
    )
    message["From"] = settings.smtp_from
    return Claimed(mail.id, mail.kind, mail.attempts, message)


async def sent(session: AsyncSession, claimed: Claimed) -> None:
    """The SMTP server took the mail: it leaves the queue."""
    mail = await repository.get(session, claimed.mail_id)
    if mail is not None:
        await repository.remove(session, mail)
    logger.info("sent a %s mail", claimed.kind)


async def failed(
    session: AsyncSession, claimed: Claimed, error: Exception, settings: Settings, now: datetime
) -> None:
    """Sending failed: the mail waits (exponential backoff) and is tried again. The token made
    for this attempt stays unknown to anyone and expires unused."""
    mail = await repository.get(session, claimed.mail_id)
    if mail is None:
        return
    mail.attempts += 1
    mail.last_error = f"{error.__class__.__name__}: {error}"[:500]
    mail.next_attempt_at = now + retry_delay(mail.attempts, settings.mail_retry_max_seconds)
    logger.warning(
        "sending a %s mail failed (attempt %d), next try at %s: %s",
        mail.kind,
        mail.attempts,
        mail.next_attempt_at.isoformat(),
        mail.last_error,
    )


async def redeem(session: AsyncSession, token: str, purpose: str, now: datetime) -> UUID | None:
    """Spend a mailed token: its user, or None if it is unknown, spent, expired or not for
    `purpose`. The row lock makes two redemptions of one token run one after the other."""
    found = await repository.token_for_update(session, token_hash(token))
    if found is None or found.purpose != purpose or found.used_at is not None:
        return None
    if found.expires_at <= now:
        return None
    found.used_at = now
    return found.user_id


async def end_tokens(session: AsyncSession, user_id: UUID, purpose: str, now: datetime) -> None:
    await repository.spend_tokens(session, user_id, purpose, now)


async def purge_tokens(session: AsyncSession, now: datetime) -> None:
    await repository.purge_tokens(session, now)
