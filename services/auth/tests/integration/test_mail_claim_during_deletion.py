"""A mail worker never waits on a user whose deletion is under way: the deletion holds the user's
row and then needs the user's mails (ON DELETE CASCADE), the worker holds a mail and would need
the user's row for the token it adds; waiting would deadlock (seen under load in the suite)."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from auth.mail import service
from auth.mail.models import MailedToken, PendingMail
from auth.users.models import User
from schediora_testkit import testing

NOW = datetime(2001, 1, 1, tzinfo=UTC)
"""Long ago, so that no mail of another test is due and only this test's mail is claimed."""


@pytest.fixture
async def sessions(test_database):
    engine = create_async_engine(
        testing.database_url("auth"), connect_args={"options": "-c search_path=auth"}
    )
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


@pytest.fixture
async def user_with_mail(sessions):
    user_id = uuid.uuid4()
    async with sessions.begin() as session:
        session.add(User(id=user_id, email=f"{user_id.hex}@example.com", password_hash="x"))
        await session.flush()
        session.add(
            PendingMail(
                user_id=user_id,
                kind="verify_email",
                created_at=NOW - timedelta(seconds=1),
                next_attempt_at=NOW - timedelta(seconds=1),
                attempts=0,
            )
        )
    yield user_id
    async with sessions.begin() as session:
        await session.execute(delete(User).where(User.id == user_id))


async def _tokens(sessions, user_id) -> int:
    async with sessions() as session:
        return await session.scalar(
            select(func.count()).select_from(MailedToken).where(MailedToken.user_id == user_id)
        )


async def test_a_mail_of_a_user_being_deleted_is_skipped_without_waiting(
    sessions, settings, user_with_mail
):
    async with sessions() as deleting, deleting.begin():
        # What DELETE FROM users takes first: the row, for update.
        await deleting.execute(
            text("SELECT id FROM users WHERE id = :id FOR UPDATE"), {"id": user_with_mail}
        )
        async with sessions() as worker, worker.begin():
            claimed = await asyncio.wait_for(service.claim_next(worker, settings, NOW), 10)
        assert claimed is None
    assert await _tokens(sessions, user_with_mail) == 0


async def test_the_same_mail_is_claimed_once_the_user_is_not_being_deleted(
    sessions, settings, user_with_mail
):
    async with sessions() as changing, changing.begin():
        # A password change holds the row FOR NO KEY UPDATE: a mail may still be sent meanwhile.
        await changing.execute(
            text("SELECT id FROM users WHERE id = :id FOR NO KEY UPDATE"), {"id": user_with_mail}
        )
        async with sessions() as worker, worker.begin():
            claimed = await asyncio.wait_for(service.claim_next(worker, settings, NOW), 10)
    assert claimed is not None
    assert claimed.kind == "verify_email"
    assert await _tokens(sessions, user_with_mail) == 1
