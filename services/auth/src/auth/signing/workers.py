"""Every auth process keeps its key ring in step with `auth.signing_keys`: loaded before the
first request, then reloaded every `SIGNING_KEYS_REFRESH_SECONDS` (a key rotated in or
withdrawn by `python -m auth.signing` is used, or refused, by every replica within it)."""

import asyncio
import logging

from auth.context import AuthContext
from auth.signing import service
from schediora_runtime.service import ServiceRuntime, Worker

logger = logging.getLogger(__name__)


def load_signing_keys(context: AuthContext) -> Worker:
    async def load_keys(runtime: ServiceRuntime) -> None:
        try:
            await reload_once(runtime, context)
        except Exception:
            logger.warning("loading the rotated signing keys failed; retrying", exc_info=True)

    return load_keys


def signing_key_refresh(context: AuthContext) -> Worker:
    async def refresh_keys(runtime: ServiceRuntime) -> None:
        while True:
            await asyncio.sleep(context.settings.signing_keys_refresh_seconds)
            try:
                await reload_once(runtime, context)
            except Exception:
                logger.warning("reloading the signing keys failed", exc_info=True)

    return refresh_keys


async def reload_quietly(runtime: ServiceRuntime, context: AuthContext) -> None:
    """`reload_once`, logging a failure instead of raising it (the ring stays as it was)."""
    try:
        await reload_once(runtime, context)
    except Exception:
        logger.warning("reloading the signing keys failed; serving them as last loaded")


async def reload_once(runtime: ServiceRuntime, context: AuthContext) -> None:
    before = (context.keys.kid, context.keys.kids)
    async with runtime.sessionmaker.begin() as session:
        await service.reload(session, context.keys)
    if (context.keys.kid, context.keys.kids) != before:
        logger.info("signing with %s, publishing %s", context.keys.kid, context.keys.kids)
