"""The mail worker: drains the mail queue while auth runs. Per mail: claim (one transaction),
send (outside any transaction), settle (a second one)."""

import asyncio
import logging

from auth.context import AuthContext
from auth.mail import service
from auth.mail.smtp import SEND_ERRORS, Mailer
from schediora_runtime.service import ServiceRuntime, Worker

logger = logging.getLogger(__name__)

PURGE_EVERY_ROUNDS = 600


def mail_delivery(context: AuthContext, mailer: Mailer) -> Worker:
    async def deliver_mail(runtime: ServiceRuntime) -> None:
        rounds = 0
        while True:
            try:
                while await _uncancelled(deliver_one(runtime, context, mailer)):
                    pass
                rounds += 1
                if rounds % PURGE_EVERY_ROUNDS == 1:
                    async with runtime.sessionmaker.begin() as session:
                        await service.purge_tokens(session, context.clock())
            except Exception:
                logger.warning("the mail worker failed; retrying", exc_info=True)
            await asyncio.sleep(context.settings.mail_poll_interval_seconds)

    return deliver_mail


async def _uncancelled(step):
    """Run `step` to its end even when the worker is cancelled meanwhile (at shutdown), then
    stop: a mail is never left half-claimed, nor a transaction half-closed."""
    task = asyncio.ensure_future(step)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        await asyncio.wait([task])
        raise


async def deliver_one(runtime: ServiceRuntime, context: AuthContext, mailer: Mailer) -> bool:
    """Try the oldest due mail; False when none is due or the server is away."""
    async with runtime.sessionmaker.begin() as session:
        claimed = await service.claim_next(session, context.settings, context.clock())
    if claimed is None:
        return False
    try:
        await mailer.send(claimed.message)
    except SEND_ERRORS as exc:
        async with runtime.sessionmaker.begin() as session:
            await service.failed(session, claimed, exc, context.settings, context.clock())
        return False  # the next round tries again
    async with runtime.sessionmaker.begin() as session:
        await service.sent(session, claimed)
    return True
