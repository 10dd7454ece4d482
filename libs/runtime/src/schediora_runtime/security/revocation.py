"""Revoked sessions: a table in each verifying service, and the in-memory view requests check.

Auth writes its rows directly; planner and ai write theirs from auth's `SessionsRevoked` and
`UserDeleted` events. A row names either one session (the `sid` of access tokens) or, with no
session, every token of a deleted user. The view is a set lookup on the request path; it is
updated when a transaction that revoked something commits, and refreshed from the table every
`revocation_refresh_seconds`, so replicas that did not consume the event converge, and a fresh
process starts from what its table holds. A refresh reads only the rows added since the last one
(by id, re-reading ids that were missing for a while: a transaction may commit a lower id after
a higher one), so its cost does not grow with the table; the whole table is read again every
`FULL_RELOAD_SECONDS` as a backstop. A session row is kept as long as a token of it can
live (`ACCESS_TOKEN_MAX_TTL_SECONDS` + leeway); a deleted user's row for a week, since
it also tells consumers that nothing may be written for that user any more
(`DELETED_USER_KEEP`).
"""

import asyncio
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    MetaData,
    Table,
    delete,
    event,
    exists,
    func,
    insert,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from schediora_contracts import ACCESS_TOKEN_MAX_TTL_SECONDS, SessionsRevoked, UserDeleted
from schediora_contracts.envelope import EventEnvelope
from schediora_runtime.messaging.consumer import Handler
from schediora_runtime.security.verifier import AccessClaims

logger = logging.getLogger(__name__)

REVOCATIONS_TABLE = "revocations"
VIEW_KEY = "revocation_view"
_PENDING_KEY = "revocations_pending"
SESSION_KEEP = timedelta(seconds=ACCESS_TOKEN_MAX_TTL_SECONDS + 60)
"""A revoked session's tokens have all expired by then (the longest TTL plus clock leeway)."""
DELETED_USER_KEEP = timedelta(days=7)
"""How long a deleted user's row stays: a late event about them (a plan finished meanwhile, a
redelivery) is dropped rather than written. As long as processed event ids are kept by default."""
PURGE_INTERVAL_SECONDS = 60.0
FULL_RELOAD_SECONDS = 60.0
GAP_SECONDS = 60.0
"""How long an id missing below the highest one read is looked for again (an uncommitted
insert with a lower id than a committed one commits within it: transactions are short)."""
GAP_LOOKBACK_IDS = 1000
"""After a full read, missing ids among the last this many are looked for again."""


def revocations_table(metadata: MetaData) -> Table:
    """The revocation table, in the service's own schema."""
    return Table(
        REVOCATIONS_TABLE,
        metadata,
        Column("id", BigInteger, Identity(always=True), primary_key=True),
        Column("user_id", PG_UUID(as_uuid=True), nullable=False),
        Column("session_id", PG_UUID(as_uuid=True), comment="NULL: every token of the user"),
        Column("revoked_at", DateTime(timezone=True), nullable=False),
        Column("expires_at", DateTime(timezone=True), nullable=False),
        Index("ix_revocations_expires_at", "expires_at"),
        Index("ix_revocations_user_id", "user_id"),
    )


@dataclass(frozen=True)
class Revocation:
    user_id: UUID
    session_id: UUID | None
    expires_at: datetime


class RevocationList:
    """The in-memory view: revoked session ids and deleted users, each until its expiry."""

    def __init__(self) -> None:
        self._sessions: dict[UUID, datetime] = {}
        self._users: dict[UUID, datetime] = {}
        self.loaded = False

    def is_revoked(self, claims: AccessClaims) -> bool:
        return claims.user_id in self._users or (
            claims.session_id is not None and claims.session_id in self._sessions
        )

    def add(self, revocations: Iterable[Revocation]) -> None:
        # Only ever adds (a revocation is never undone) and keeps the later expiry, so a reload
        # racing a local commit cannot drop an entry.
        for revocation in revocations:
            if revocation.session_id is None:
                entries, key = self._users, revocation.user_id
            else:
                entries, key = self._sessions, revocation.session_id
            known = entries.get(key)
            if known is None or known < revocation.expires_at:
                entries[key] = revocation.expires_at

    def prune(self, now: datetime) -> None:
        for entries in (self._sessions, self._users):
            for key in [k for k, expires_at in entries.items() if expires_at <= now]:
                del entries[key]

    def __len__(self) -> int:
        return len(self._sessions) + len(self._users)


async def revoke_sessions(
    session: AsyncSession, table: Table, user_id: UUID, session_ids: Iterable[UUID], at: datetime
) -> None:
    """Record revoked sessions in the caller's transaction; the view learns them at commit."""
    expires_at = at + SESSION_KEEP
    await _record(session, table, [Revocation(user_id, sid, expires_at) for sid in session_ids], at)


async def revoke_user(
    session: AsyncSession,
    table: Table,
    user_id: UUID,
    at: datetime,
    *,
    keep: timedelta = DELETED_USER_KEEP,
) -> None:
    """Record a deleted user: every token refused, and `user_erased` true, for `keep`."""
    await _record(session, table, [Revocation(user_id, None, at + max(keep, SESSION_KEEP))], at)


async def _record(
    session: AsyncSession, table: Table, revocations: list[Revocation], at: datetime
) -> None:
    if not revocations:
        return
    await session.execute(
        insert(table),
        [
            {
                "user_id": r.user_id,
                "session_id": r.session_id,
                "revoked_at": at,
                "expires_at": r.expires_at,
            }
            for r in revocations
        ],
    )
    session.info.setdefault(_PENDING_KEY, []).extend(revocations)


async def user_erased(session: AsyncSession, table: Table, user_id: UUID) -> bool:
    """Whether the user was deleted (within the retention): consumers then write nothing."""
    return bool(
        await session.scalar(
            select(
                exists().where(
                    table.c.user_id == user_id,
                    table.c.session_id.is_(None),
                    table.c.expires_at > func.now(),
                )
            )
        )
    )


async def lock_user(session: AsyncSession, user_id: UUID) -> None:
    """A transaction-level advisory lock on the user: erasure and a write that must not outlive
    it (a plan finished while the account was deleted) take it, so one waits for the other."""
    key = int.from_bytes(hashlib.sha256(b"user:" + user_id.bytes).digest()[:8], "big", signed=True)
    await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


async def load(session: AsyncSession, table: Table) -> list[Revocation]:
    return [revocation for _, revocation in await _load_rows(session, table)]


async def _load_rows(
    session: AsyncSession, table: Table, *, after_id: int | None = None, ids: Iterable[int] = ()
) -> list[tuple[int, Revocation]]:
    """Unexpired rows with their ids: all of them, or those above `after_id` or among `ids`."""
    query = select(table.c.id, table.c.user_id, table.c.session_id, table.c.expires_at).where(
        table.c.expires_at > func.now()
    )
    if after_id is not None:
        ids = list(ids)
        newer = table.c.id > after_id
        query = query.where(or_(newer, table.c.id.in_(ids)) if ids else newer)
    rows = await session.execute(query)
    return [(row[0], Revocation(row[1], row[2], row[3])) for row in rows]


async def purge_expired(session: AsyncSession, table: Table) -> int:
    result = await session.execute(delete(table).where(table.c.expires_at <= func.now()))
    return result.rowcount


@event.listens_for(Session, "after_commit")
def _publish_to_view_after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING_KEY, None)
    if pending and (view := session.info.get(VIEW_KEY)) is not None:
        view.add(pending)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)


class RevocationRefresher:
    """Keeps a view in step with its table: reloads on a short schedule, purges expired rows."""

    def __init__(
        self,
        table: Table,
        sessionmaker: async_sessionmaker[AsyncSession],
        view: RevocationList,
        *,
        interval_seconds: float,
    ) -> None:
        self.table = table
        self.sessionmaker = sessionmaker
        self.view = view
        self.interval_seconds = interval_seconds
        self._purged_at = -PURGE_INTERVAL_SECONDS
        self._full_at = -FULL_RELOAD_SECONDS
        self._highest_id: int | None = None
        self._gaps: dict[int, float] = {}
        """Ids missing below `_highest_id`, and since when (loop time)."""

    async def refresh(self) -> None:
        loop_time = asyncio.get_running_loop().time()
        full = self._highest_id is None or loop_time - self._full_at >= FULL_RELOAD_SECONDS
        async with self.sessionmaker.begin() as session:
            if full:
                rows = await _load_rows(session, self.table)
            else:
                rows = await _load_rows(
                    session, self.table, after_id=self._highest_id, ids=self._gaps
                )
            if loop_time - self._purged_at >= PURGE_INTERVAL_SECONDS:
                self._purged_at = loop_time
                await purge_expired(session, self.table)
        self.view.add(revocation for _, revocation in rows)
        self._track(rows, loop_time, full=full)
        if full:
            self._full_at = loop_time
            self.view.prune(datetime.now(UTC))
        self.view.loaded = True

    def _track(self, rows: list[tuple[int, Revocation]], loop_time: float, *, full: bool) -> None:
        """Remember the highest id read and the ids missing below it (looked for again)."""
        seen = {row_id for row_id, _ in rows}
        previous = self._highest_id
        highest = max(seen, default=previous if previous is not None else 0)
        if full:
            start = max(highest - GAP_LOOKBACK_IDS, 0)
            gaps = {i: self._gaps.get(i, loop_time) for i in range(start + 1, highest)}
        else:
            assert previous is not None
            start = max(previous, highest - GAP_LOOKBACK_IDS)
            gaps = dict(self._gaps) | {i: loop_time for i in range(start + 1, highest)}
        self._gaps = {
            i: since
            for i, since in gaps.items()
            if i not in seen and loop_time - since < GAP_SECONDS
        }
        self._highest_id = max(highest, previous or 0)

    async def run(self) -> None:
        while True:
            try:
                await self.refresh()
            except Exception:
                logger.warning("refreshing the revocation list failed", exc_info=True)
            await asyncio.sleep(self.interval_seconds)


def sessions_revoked_handler(table: Table) -> Handler:
    """The consumer of auth's `SessionsRevoked` for a service that verifies tokens."""

    async def on_sessions_revoked(
        session: AsyncSession, event: SessionsRevoked, _envelope: EventEnvelope
    ) -> None:
        await revoke_sessions(session, table, event.user_id, event.session_ids, event.revoked_at)

    return on_sessions_revoked


async def record_user_deleted(session: AsyncSession, table: Table, event: UserDeleted) -> None:
    """For a `UserDeleted` consumer, before it erases the user's data in the same transaction:
    takes the user's lock (`lock_user`) and records the deletion (tokens refused, and
    `user_erased` true for `DELETED_USER_KEEP`)."""
    await lock_user(session, event.user_id)
    await revoke_user(session, table, event.user_id, event.deleted_at)
