"""Anti-automation (ASVS 6.1.1, 6.3.1; OWASP Authentication Cheat Sheet): fixed windows of
failures per login email, per client address and per registering address, in PostgreSQL so
that every replica counts the same failures. README.md documents the numbers."""

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from auth.settings import Settings
from auth.throttling import metrics, repository


@dataclass(frozen=True)
class Rule:
    scope: str
    limit: int
    window: timedelta
    lockout: timedelta

    def key(self, value: str) -> str:
        digest = hashlib.sha256(value.strip().lower().encode("utf-8")).hexdigest()
        return f"{self.scope}:{digest}"


def scope_of(key: str) -> str:
    """The rule a stored key belongs to (`<scope>:<sha256>`)."""
    return key.split(":", 1)[0]


@dataclass(frozen=True)
class Rules:
    login_email: Rule
    login_address: Rule
    refresh_address: Rule
    register_address: Rule
    forgot_email: Rule
    forgot_address: Rule
    verify_user: Rule
    verify_address: Rule

    @classmethod
    def from_settings(cls, settings: Settings) -> "Rules":
        login_window = timedelta(seconds=settings.login_window_seconds)
        login_lockout = timedelta(seconds=settings.login_lockout_seconds)
        register_window = timedelta(seconds=settings.register_window_seconds)
        forgot_window = timedelta(seconds=settings.forgot_window_seconds)
        verify_window = timedelta(seconds=settings.verification_resend_window_seconds)
        return cls(
            login_email=Rule(
                "login_email", settings.login_failures_per_email, login_window, login_lockout
            ),
            login_address=Rule(
                "login_address", settings.login_failures_per_address, login_window, login_lockout
            ),
            # Refresh tokens carry 256 bits, so guessing one is hopeless; this only stops an
            # address from hammering /refresh (auth README: Throttling) with login's numbers.
            refresh_address=Rule(
                "refresh_address", settings.login_failures_per_address, login_window, login_lockout
            ),
            register_address=Rule(
                "register_address",
                settings.register_conflicts_per_address,
                register_window,
                register_window,
            ),
            # Every forgot request counts (found or not), so a lock says nothing of the email.
            forgot_email=Rule(
                "forgot_email", settings.forgot_per_email, forgot_window, forgot_window
            ),
            forgot_address=Rule(
                "forgot_address", settings.forgot_per_address, forgot_window, forgot_window
            ),
            # Every resend of the verification mail counts (sent or not, once verified).
            verify_user=Rule(
                "verify_user",
                settings.verification_resends_per_user,
                verify_window,
                verify_window,
            ),
            verify_address=Rule(
                "verify_address",
                settings.verification_resends_per_address,
                verify_window,
                verify_window,
            ),
        )

    @property
    def longest(self) -> timedelta:
        rules = (
            self.login_email,
            self.login_address,
            self.refresh_address,
            self.register_address,
            self.forgot_email,
            self.forgot_address,
            self.verify_user,
            self.verify_address,
        )
        return max(max(rule.window, rule.lockout) for rule in rules)


async def seconds_locked(
    session: AsyncSession, checks: list[tuple[Rule, str]], now: datetime
) -> int | None:
    """Seconds until every lock on these (rule, value) pairs is over; None if none holds. A
    refusal counts under the limit whose lock lasts longest (the one Retry-After names)."""
    lock = await repository.latest_lock(session, [rule.key(value) for rule, value in checks], now)
    if lock is None:
        return None
    key, until = lock
    metrics.throttled(scope_of(key))
    return max(1, math.ceil((until - now).total_seconds()))


async def record_failure(
    session: AsyncSession, rules: Rules, checks: list[tuple[Rule, str]], now: datetime
) -> None:
    for rule, value in checks:
        await repository.count_failure(
            session,
            rule.key(value),
            now,
            limit=rule.limit,
            window=rule.window,
            lockout=rule.lockout,
        )
    # Every failure also clears a few dead windows, so the table cannot grow without bound.
    await repository.purge_stale(session, now, rules.longest)


async def reset(session: AsyncSession, rule: Rule, value: str) -> None:
    await repository.forget(session, rule.key(value))
