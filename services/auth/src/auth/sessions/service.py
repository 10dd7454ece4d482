"""Use cases of signing in: register, log in, refresh (rotating), log out.

Refresh tokens follow RFC 9700 §4.14 and Auth0's rotation: each is spent by one refresh, and
presenting a spent one revokes its whole family (ASVS 10.4.5). Security events go to the
`auth.security` logger, never with a password or a token."""

import hashlib
import logging
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from auth.context import AuthContext
from auth.db import outbox, revocations
from auth.errors import (
    EmailTaken,
    InvalidCredentials,
    InvalidRefreshToken,
    ServerBusy,
    TooManyAttempts,
)
from auth.mail import service as mail
from auth.sessions import metrics, repository
from auth.sessions.models import RefreshToken
from auth.sessions.schemas import Registered, TokenPair
from auth.throttling import service as throttling
from auth.throttling.service import Rules
from auth.users import repository as users
from auth.users import service as accounts
from schediora_contracts import ACCESS_TOKEN_MAX_TTL_SECONDS, SessionsRevoked
from schediora_runtime.messaging.outbox import record_event
from schediora_runtime.reads import Reads
from schediora_runtime.security.revocation import revoke_sessions

security_log = logging.getLogger("auth.security")

REFRESH_TOKEN_BYTES = 32
"""256 bits from the OS CSPRNG (ASVS 7.2.3 asks for at least 128)."""


def token_hash(refresh_token: str) -> bytes:
    return hashlib.sha256(refresh_token.encode("utf-8")).digest()


def _seconds(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds()))


RevocationReason = Literal[
    "logout", "refresh_token_reuse", "password_changed", "password_reset", "logout_all"
]


async def publish_revoked(
    session: AsyncSession,
    user_id: UUID,
    family_ids: list[UUID],
    reason: RevocationReason,
    now: datetime,
) -> None:
    """Refuse the sessions' access tokens here at commit, and everywhere else by the event."""
    if not family_ids:
        return
    await revoke_sessions(session, revocations, user_id, family_ids, now)
    await record_event(
        session,
        outbox,
        SessionsRevoked(
            user_id=user_id, session_ids=tuple(family_ids), reason=reason, revoked_at=now
        ),
        producer=accounts.PRODUCER,
    )


async def end_all_sessions(
    session: AsyncSession, user_id: UUID, reason: RevocationReason, now: datetime
) -> int:
    """Revoke every family of the user that may still have a live access token; their count."""
    families = await repository.families_with_live_tokens(
        session, user_id, now, timedelta(seconds=ACCESS_TOKEN_MAX_TTL_SECONDS + 60)
    )
    for family_id in families:
        await repository.revoke_family(session, family_id, now)
    await publish_revoked(session, user_id, families, reason, now)
    security_log.info(
        "sessions ended",
        extra={
            "security_event": "sessions_ended",
            "reason": reason,
            "user_id": str(user_id),
            "sessions": len(families),
        },
    )
    return len(families)


def issue_pair(
    session: AsyncSession,
    context: AuthContext,
    user_id: UUID,
    now: datetime,
    *,
    family_id: UUID | None = None,
    family_expires_at: datetime | None = None,
) -> TokenPair:
    """A new access token and a new refresh token (of a new family unless one is given)."""
    refresh_token = secrets.token_urlsafe(REFRESH_TOKEN_BYTES)
    family_id = family_id or uuid.uuid4()
    expires_at = family_expires_at or now + timedelta(
        seconds=context.settings.refresh_token_ttl_seconds
    )
    repository.add(
        session,
        RefreshToken(
            id=uuid.uuid4(),
            user_id=user_id,
            family_id=family_id,
            token_hash=token_hash(refresh_token),
            created_at=now,
            expires_at=expires_at,
        ),
    )
    return TokenPair(
        access_token=context.tokens.issue(user_id, now, family_id),
        refresh_token=refresh_token,
        expires_in=context.tokens.ttl_seconds,
        refresh_expires_in=_seconds(expires_at - now),
    )


async def register(
    session: AsyncSession,
    context: AuthContext,
    *,
    email: str,
    password: str,
    display_name: str | None,
    client_address: str,
) -> Registered:
    rules = Rules.from_settings(context.settings)
    checks = [(rules.register_address, client_address)]
    async with context.passwords.slot() as hashing:
        now = context.clock()
        if (retry_after := await throttling.seconds_locked(session, checks, now)) is not None:
            security_log.warning(
                "registration refused: too many taken emails from this address",
                extra={"security_event": "register_throttled", "client_address": client_address},
            )
            raise TooManyAttempts(retry_after)
        try:
            user = await accounts.create(
                session,
                hashing,
                email=email,
                password=password,
                display_name=display_name,
                now=now,
            )
        except EmailTaken:
            # docs/api.md: 409 email_taken (an ASVS 6.3.8 deviation): probing for accounts
            # this way is rate-limited per address instead (README.md).
            await throttling.record_failure(session, rules, checks, now)
            raise
    mail.enqueue(session, user.id, "verify_email", now)
    security_log.info(
        "account registered", extra={"security_event": "registered", "user_id": str(user.id)}
    )
    tokens = issue_pair(session, context, user.id, now)
    return Registered(user=accounts.profile(user), tokens=tokens)


async def login(
    session: AsyncSession, context: AuthContext, *, email: str, password: str, client_address: str
) -> TokenPair:
    """A token pair for a known email and its password; each attempt counted by its outcome."""
    try:
        pair = await _login(
            session, context, email=email, password=password, client_address=client_address
        )
    except InvalidCredentials:
        metrics.login("bad_credentials")
        raise
    except TooManyAttempts:
        metrics.login("throttled")
        raise
    except ServerBusy:
        metrics.login("busy")
        raise
    metrics.login("success")
    return pair


async def _login(
    session: AsyncSession, context: AuthContext, *, email: str, password: str, client_address: str
) -> TokenPair:
    rules = Rules.from_settings(context.settings)
    checks = [(rules.login_email, email), (rules.login_address, client_address)]
    event = {"client_address": client_address, "email_key": rules.login_email.key(email)[-16:]}
    async with context.passwords.slot() as hashing:
        now = context.clock()
        if (retry_after := await throttling.seconds_locked(session, checks, now)) is not None:
            security_log.warning(
                "login failed: throttled",
                extra={"security_event": "login_failed", "reason": "throttled", **event},
            )
            raise TooManyAttempts(retry_after)
        user = await users.get_by_email(session, email)
        if user is None:
            await hashing.verify_nothing(password)
        if user is None or not await hashing.verify(user.password_hash, password):
            await throttling.record_failure(session, rules, checks, now)
            reason = "unknown_email" if user is None else "wrong_password"
            security_log.warning(
                "login failed",
                extra={
                    "security_event": "login_failed",
                    "reason": reason,
                    "user_id": user and str(user.id),
                    **event,
                },
            )
            raise InvalidCredentials()
        await throttling.reset(session, rules.login_email, email)
        if context.passwords.needs_rehash(user.password_hash):
            # Parameters rose since this hash was made: upgrade it while we hold the password.
            user.password_hash = await hashing.hash(password)
            security_log.info(
                "password rehashed", extra={"security_event": "rehashed", "user_id": str(user.id)}
            )
    security_log.info(
        "login succeeded",
        extra={"security_event": "login_succeeded", "user_id": str(user.id), **event},
    )
    return issue_pair(session, context, user.id, now)


async def rotate_live(
    reads: Reads, context: AuthContext, refresh_token: str, *, client_address: str
) -> TokenPair | None:
    """The common refresh, in one statement on the autocommit pool: a live token spent for a
    new pair. None when the token is anything else (or the address is locked): then `refresh`
    decides, in a transaction, what to answer and what to record."""
    rules = Rules.from_settings(context.settings)
    now = context.clock()
    new_token = secrets.token_urlsafe(REFRESH_TOKEN_BYTES)
    row = await reads.write(
        lambda connection: repository.rotate_live(
            connection,
            token_hash(refresh_token),
            new_id=uuid.uuid4(),
            new_hash=token_hash(new_token),
            now=now,
            locks=[rules.refresh_address.key(client_address)],
        )
    )
    if row is None:
        return None
    user_id, family_id, expires_at = row
    return TokenPair(
        access_token=context.tokens.issue(user_id, now, family_id),
        refresh_token=new_token,
        expires_in=context.tokens.ttl_seconds,
        refresh_expires_in=_seconds(expires_at - now),
    )


async def refresh(
    session: AsyncSession, context: AuthContext, refresh_token: str, *, client_address: str
) -> TokenPair:
    rules = Rules.from_settings(context.settings)
    checks = [(rules.refresh_address, client_address)]
    now = context.clock()
    if (retry_after := await throttling.seconds_locked(session, checks, now)) is not None:
        security_log.warning(
            "refresh refused: throttled",
            extra={"security_event": "refresh_throttled", "client_address": client_address},
        )
        raise TooManyAttempts(retry_after)
    try:
        return await _rotate(session, context, refresh_token, now)
    except InvalidRefreshToken:
        # Committed with the refusal (a RecordedFailure), like the family revocation.
        await throttling.record_failure(session, rules, checks, now)
        raise


async def _rotate(
    session: AsyncSession, context: AuthContext, refresh_token: str, now: datetime
) -> TokenPair:
    token = await repository.get_by_hash_for_update(session, token_hash(refresh_token))
    if token is None or token.revoked_at is not None:
        raise InvalidRefreshToken()
    if token.rotated_at is not None:
        # A spent token came back: it was stolen, or the client raced itself. Either way the
        # grant is no longer trusted, including the newest token of the family.
        revoked = await repository.revoke_family(session, token.family_id, now)
        await publish_revoked(session, token.user_id, [token.family_id], "refresh_token_reuse", now)
        security_log.warning(
            "refresh token reuse detected: token family revoked",
            extra={
                "security_event": "refresh_token_reuse",
                "user_id": str(token.user_id),
                "family_id": str(token.family_id),
                "revoked_tokens": revoked,
            },
        )
        raise InvalidRefreshToken()
    if token.expires_at <= now:
        raise InvalidRefreshToken()
    token.rotated_at = now
    return issue_pair(
        session,
        context,
        token.user_id,
        now,
        family_id=token.family_id,
        family_expires_at=token.expires_at,
    )


async def logout(session: AsyncSession, context: AuthContext, refresh_token: str) -> None:
    """Revoke the token's family; an unknown or already revoked token is no error."""
    token = await repository.get_by_hash(session, token_hash(refresh_token))
    if token is not None:
        now = context.clock()
        revoked = await repository.revoke_family(session, token.family_id, now)
        if revoked:
            await publish_revoked(session, token.user_id, [token.family_id], "logout", now)
            security_log.info(
                "logged out",
                extra={
                    "security_event": "logout",
                    "user_id": str(token.user_id),
                    "family_id": str(token.family_id),
                },
            )
