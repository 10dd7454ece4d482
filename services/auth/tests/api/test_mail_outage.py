"""Mail survives an SMTP server that is away: queued, retried with backoff, sent once back."""

import asyncio

from sqlalchemy import text

from schediora_testkit.devmail import MailCatcher

from ..conftest import make_settings, running
from ..factories import register


async def _attempts(app, user_id) -> int | None:
    async with app.state.runtime.sessionmaker() as session:
        return await session.scalar(
            text("SELECT max(attempts) FROM auth.mail_outbox WHERE user_id = :u"), {"u": user_id}
        )


async def test_a_verification_mail_is_sent_once_the_smtp_server_is_back(test_database):
    server = MailCatcher()  # its port is chosen, but nothing listens there yet
    settings = make_settings(smtp_port=server.port, mail_retry_max_seconds=1)
    async with running(settings, mail_worker=True) as (app, client):
        async with app.state.runtime.sessionmaker.begin() as session:
            # Mails other tests queued (their apps send none) would be tried first.
            await session.execute(text("DELETE FROM auth.mail_outbox"))
        account = await register(client)
        for _ in range(600):
            if (await _attempts(app, account.id) or 0) >= 2:
                break
            await asyncio.sleep(0.05)
        assert await _attempts(app, account.id) >= 2  # tried, failed, still queued
        assert server.messages == []

        server.start()
        try:
            [mail] = await server.wait_for(account.email)
            for _ in range(200):
                if await _attempts(app, account.id) is None:
                    break
                await asyncio.sleep(0.05)
        finally:
            server.stop()

    assert "/verify-email?token=" in mail.text
    assert await _attempts(app, account.id) is None  # sent: no longer queued
