"""Revoked sessions: the view learns a revocation when it commits, other replicas learn it
from the table within one refresh, a fresh process rebuilds it, and old rows are dropped."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import MetaData, text
from sqlalchemy.ext.asyncio import create_async_engine

from schediora_runtime.database import create_sessionmaker
from schediora_runtime.security.revocation import (
    SESSION_KEEP,
    VIEW_KEY,
    Revocation,
    RevocationList,
    RevocationRefresher,
    revocations_table,
    revoke_sessions,
    revoke_user,
    user_erased,
)
from schediora_runtime.security.verifier import AccessClaims


def _claims(user_id: uuid.UUID, session_id: uuid.UUID | None) -> AccessClaims:
    now = datetime.now(UTC)
    return AccessClaims(user_id, "jti", now, now + timedelta(minutes=15), session_id)


@pytest.fixture
async def replicas(database_url):
    """The revocation table in a schema of its own, and two replicas' sessionmakers + views."""
    schema = f"revocation_test_{uuid.uuid4().hex[:12]}"
    table = revocations_table(MetaData(schema=schema))
    engine = create_async_engine(database_url, pool_size=4)
    async with engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        await conn.run_sync(table.metadata.create_all)
    views = [RevocationList(), RevocationList()]
    makers = [create_sessionmaker(engine, **{VIEW_KEY: view}) for view in views]
    try:
        yield table, list(zip(makers, views, strict=True))
    finally:
        async with engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await engine.dispose()


async def test_a_revocation_reaches_its_own_view_at_commit_and_the_other_by_refresh(replicas):
    table, [(maker_a, view_a), (maker_b, view_b)] = replicas
    user, revoked, kept = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    async with maker_a() as session:
        await revoke_sessions(session, table, user, [revoked], datetime.now(UTC))
        assert not view_a.is_revoked(_claims(user, revoked))  # not before it commits
        await session.commit()

    assert view_a.is_revoked(_claims(user, revoked))
    assert not view_a.is_revoked(_claims(user, kept))
    assert not view_b.is_revoked(_claims(user, revoked))
    await RevocationRefresher(table, maker_b, view_b, interval_seconds=1).refresh()
    assert view_b.is_revoked(_claims(user, revoked))
    assert not view_b.is_revoked(_claims(user, None))


async def test_a_rolled_back_revocation_reaches_no_view(replicas):
    table, [(maker, view), _] = replicas
    user, sid = uuid.uuid4(), uuid.uuid4()
    async with maker() as session:
        await revoke_sessions(session, table, user, [sid], datetime.now(UTC))
        await session.rollback()
    await RevocationRefresher(table, maker, view, interval_seconds=1).refresh()
    assert not view.is_revoked(_claims(user, sid))


async def test_a_deleted_user_is_refused_whatever_the_session_and_erased(replicas):
    table, [(maker, view), _] = replicas
    user = uuid.uuid4()
    async with maker() as session:
        await revoke_user(session, table, user, datetime.now(UTC))
        await session.commit()
    assert view.is_revoked(_claims(user, uuid.uuid4()))
    assert view.is_revoked(_claims(user, None))
    async with maker() as session:
        assert await user_erased(session, table, user)
        assert not await user_erased(session, table, uuid.uuid4())


async def test_a_fresh_process_rebuilds_the_view_and_old_rows_are_dropped(replicas):
    table, [(maker, _), _] = replicas
    user, recent, old = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    now = datetime.now(UTC)
    async with maker() as session:
        await revoke_sessions(session, table, user, [recent], now)
        await revoke_sessions(session, table, user, [old], now - SESSION_KEEP - timedelta(1))
        await session.commit()

    fresh = RevocationList()
    await RevocationRefresher(table, maker, fresh, interval_seconds=1).refresh()

    assert fresh.is_revoked(_claims(user, recent))
    assert not fresh.is_revoked(_claims(user, old))
    assert len(fresh) == 1
    async with maker() as session:
        [(rows,)] = (await session.execute(text(f"SELECT count(*) FROM {table.fullname}"))).all()
    assert rows == 1  # the expired row was purged


async def test_expired_entries_leave_the_view():
    view = RevocationList()
    user, sid = uuid.uuid4(), uuid.uuid4()
    soon = datetime.now(UTC) + timedelta(seconds=1)
    view.add([Revocation(user, sid, soon)])
    assert view.is_revoked(_claims(user, sid))
    view.prune(soon + timedelta(seconds=1))
    assert not view.is_revoked(_claims(user, sid))
    assert len(view) == 0


async def test_a_refresh_finds_a_lower_id_that_commits_after_a_higher_one(replicas):
    """Refreshes read only rows added since the last one; an insert that took its id first but
    committed last is still found (its id is looked for again)."""
    table, [(maker_a, _), (maker_b, view_b)] = replicas
    refresher = RevocationRefresher(table, maker_b, view_b, interval_seconds=1)
    await refresher.refresh()
    user, slow, fast, later = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    async with maker_a() as first:
        await revoke_sessions(first, table, user, [slow], datetime.now(UTC))  # the lower id
        async with maker_a() as second:
            await revoke_sessions(second, table, user, [fast], datetime.now(UTC))
            await second.commit()
        await refresher.refresh()
        assert view_b.is_revoked(_claims(user, fast))
        assert not view_b.is_revoked(_claims(user, slow))
        await first.commit()
    await refresher.refresh()
    assert view_b.is_revoked(_claims(user, slow))
    async with maker_a.begin() as third:
        await revoke_sessions(third, table, user, [later], datetime.now(UTC))
    await refresher.refresh()
    assert view_b.is_revoked(_claims(user, later))
