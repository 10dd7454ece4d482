"""Use cases of the account lifecycle: change or reset the password, log out everywhere,
verify the email, delete the account. Each that ends sessions revokes them here at commit and
everywhere else through `SessionsRevoked` / `UserDeleted` (security/revocation.py)."""

import logging
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from auth.context import AuthContext
from auth.db import outbox, revocations
from auth.errors import InvalidMailedToken, TooManyAttempts, WrongPassword
from auth.mail import service as mail
from auth.sessions import service as sessions
from auth.sessions.schemas import TokenPair
from auth.throttling import service as throttling
from auth.throttling.service import Rules
from auth.users import repository as users
from auth.users.models import User
from auth.users.service import PRODUCER, UserGone
from schediora_contracts import UserDeleted
from schediora_runtime.messaging.outbox import record_event
from schediora_runtime.security.revocation import revoke_user

security_log = logging.getLogger("auth.security")


async def _user_with_password(
    session: AsyncSession, context: AuthContext, user_id: UUID, password: str
) -> User:
    """The signed-in user, locked, once `password` is theirs. A wrong password counts as a
    failed login of that email (so a stolen access token cannot guess it quickly)."""
    user = await users.get_for_change(session, user_id)
    if user is None:
        raise UserGone(str(user_id))
    rules = Rules.from_settings(context.settings)
    checks = [(rules.login_email, user.email)]
    now = context.clock()
    if (retry_after := await throttling.seconds_locked(session, checks, now)) is not None:
        raise TooManyAttempts(retry_after)
    async with context.passwords.slot() as hashing:
        if not await hashing.verify(user.password_hash, password):
            await throttling.record_failure(session, rules, checks, now)
            security_log.warning(
                "wrong password for an account change",
                extra={"security_event": "wrong_password", "user_id": str(user_id)},
            )
            raise WrongPassword()
    return user


async def change_password(
    session: AsyncSession,
    context: AuthContext,
    user_id: UUID,
    *,
    current_password: str,
    new_password: str,
) -> TokenPair:
    """New password; every session ends, and this device gets a new one."""
    user = await _user_with_password(session, context, user_id, current_password)
    async with context.passwords.slot() as hashing:
        user.password_hash = await hashing.hash(new_password)
    now = context.clock()
    await sessions.end_all_sessions(session, user.id, "password_changed", now)
    await mail.end_tokens(session, user.id, "reset_password", now)
    security_log.info(
        "password changed", extra={"security_event": "password_changed", "user_id": str(user_id)}
    )
    return sessions.issue_pair(session, context, user.id, now)


async def logout_all(session: AsyncSession, context: AuthContext, user_id: UUID) -> None:
    await sessions.end_all_sessions(session, user_id, "logout_all", context.clock())


async def delete_account(
    session: AsyncSession, context: AuthContext, user_id: UUID, *, password: str
) -> None:
    """Delete the user here (tokens, preferences, mails with it) and tell every service."""
    user = await _user_with_password(session, context, user_id, password)
    now = context.clock()
    await revoke_user(session, revocations, user.id, now)
    await record_event(
        session, outbox, UserDeleted(user_id=user.id, deleted_at=now), producer=PRODUCER
    )
    await users.delete(session, user)
    security_log.info(
        "account deleted", extra={"security_event": "account_deleted", "user_id": str(user_id)}
    )


async def forgot_password(
    session: AsyncSession, context: AuthContext, *, email: str, client_address: str
) -> None:
    """Queue a reset mail if the email is known. The answer (and the work done) is the same
    either way: a throttle check, one lookup, one counter; only the mail differs."""
    rules = Rules.from_settings(context.settings)
    checks = [(rules.forgot_email, email), (rules.forgot_address, client_address)]
    now = context.clock()
    if (retry_after := await throttling.seconds_locked(session, checks, now)) is not None:
        security_log.warning(
            "password reset refused: throttled",
            extra={"security_event": "reset_throttled", "client_address": client_address},
        )
        raise TooManyAttempts(retry_after)
    await throttling.record_failure(session, rules, checks, now)
    user = await users.get_by_email(session, email)
    if user is not None:
        mail.enqueue(session, user.id, "reset_password", now)
        security_log.info(
            "password reset requested",
            extra={"security_event": "reset_requested", "user_id": str(user.id)},
        )


async def reset_password(
    session: AsyncSession, context: AuthContext, *, token: str, new_password: str
) -> None:
    now = context.clock()
    user_id = await mail.redeem(session, token, "reset_password", now)
    user = None if user_id is None else await users.get_for_change(session, user_id)
    if user is None:
        raise InvalidMailedToken()
    async with context.passwords.slot() as hashing:
        user.password_hash = await hashing.hash(new_password)
    await mail.end_tokens(session, user.id, "reset_password", now)
    await sessions.end_all_sessions(session, user.id, "password_reset", now)
    security_log.info(
        "password reset", extra={"security_event": "password_reset", "user_id": str(user.id)}
    )


class ResendThrottled(Exception):
    """Too many verification mails asked for, by this user or from this address."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"retry after {retry_after_seconds} s")
        self.retry_after_seconds = retry_after_seconds


async def request_verification(
    session: AsyncSession, context: AuthContext, user_id: UUID, *, client_address: str
) -> None:
    """Send the verification mail again (nothing to send once verified). Every request counts
    against the user's and the address's throttle, sent or not."""
    rules = Rules.from_settings(context.settings)
    checks = [(rules.verify_user, str(user_id)), (rules.verify_address, client_address)]
    now = context.clock()
    if (retry_after := await throttling.seconds_locked(session, checks, now)) is not None:
        security_log.warning(
            "verification mail refused: throttled",
            extra={
                "security_event": "verification_throttled",
                "user_id": str(user_id),
                "client_address": client_address,
            },
        )
        raise ResendThrottled(retry_after)
    user = await users.get(session, user_id)
    if user is None:
        raise UserGone(str(user_id))
    await throttling.record_failure(session, rules, checks, now)
    if user.email_verified_at is None:
        mail.enqueue(session, user.id, "verify_email", context.clock())


async def verify_email(session: AsyncSession, context: AuthContext, *, token: str) -> None:
    now = context.clock()
    user_id = await mail.redeem(session, token, "verify_email", now)
    user = None if user_id is None else await users.get_for_change(session, user_id)
    if user is None:
        raise InvalidMailedToken()
    if user.email_verified_at is None:
        user.email_verified_at = now
    await mail.end_tokens(session, user.id, "verify_email", now)
