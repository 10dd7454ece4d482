"""Auth's published keys over HTTP: cached, refetched on expiry or an unknown kid (rate-limited),
on a schedule (`run_refresh`), and at once when auth announces a rotation (`announce`)."""

import asyncio
import logging
import math
import time
from collections.abc import Collection

import httpx
from jwt import PyJWK

from schediora_runtime.security.keys import parse_jwks

logger = logging.getLogger(__name__)

REFETCH_INTERVAL_SECONDS = 2.0
"""At most one fetch per interval, so a flood of made-up kids cannot hammer auth."""
STALE_IF_ERROR_SECONDS = 3600.0
"""While auth is unreachable, keys it last published stay usable this long past expiry."""
MAX_JWKS_BYTES = 64 * 1024


class RemoteJwks:
    """A JWKS URL as a key source. A failed fetch is logged and means "no such key" (a 401)."""

    def __init__(
        self,
        url: str,
        *,
        timeout_seconds: float,
        cache_seconds: float,
        refetch_interval_seconds: float = REFETCH_INTERVAL_SECONDS,
        stale_if_error_seconds: float = STALE_IF_ERROR_SECONDS,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.url = url
        self._cache_seconds = cache_seconds
        self._refetch_interval = refetch_interval_seconds
        self._stale_if_error = stale_if_error_seconds
        self._client = httpx.AsyncClient(
            timeout=timeout_seconds,
            follow_redirects=False,
            headers={"Accept": "application/json"},
            transport=transport,
        )
        self._keys: dict[str, PyJWK] = {}
        self._fetched_at = -math.inf
        self._attempted_at = -math.inf
        self._lock = asyncio.Lock()

    async def get(self, kid: str) -> PyJWK | None:
        # A request arriving while a fetch is in flight waits for it rather than guess.
        if self._lock.locked() or self._needs_fetch(kid):
            async with self._lock:
                if self._needs_fetch(kid):
                    await self._fetch()
        if time.monotonic() - self._fetched_at > self._cache_seconds + self._stale_if_error:
            return None
        return self._keys.get(kid)

    async def refresh(self) -> None:
        """Fetch now, whatever the cache and the rate limit say (a schedule, an announcement)."""
        async with self._lock:
            await self._fetch()

    async def announce(self, kids: Collection[str]) -> None:
        """Auth says it publishes exactly `kids` now: keys not among them are dropped at once
        (a withdrawn key is refused even if the fetch below fails), then the JWKS is refetched
        (a new key is known before its first token arrives)."""
        dropped = self._keys.keys() - set(kids)
        if dropped:
            self._keys = {kid: key for kid, key in self._keys.items() if kid in kids}
            logger.info("JWKS from %s: dropped withdrawn kids %s", self.url, sorted(dropped))
        await self.refresh()

    async def run_refresh(self, interval_seconds: float) -> None:
        """Refetch every `interval_seconds`: the bound on a withdrawn key for a process that
        missed auth's announcement (it must be shorter than auth's key overlap)."""
        while True:
            await asyncio.sleep(interval_seconds)
            try:
                await self.refresh()
            except Exception:
                logger.warning("scheduled JWKS refresh failed", exc_info=True)

    async def aclose(self) -> None:
        await self._client.aclose()

    def _needs_fetch(self, kid: str) -> bool:
        now = time.monotonic()
        if now - self._attempted_at < self._refetch_interval:
            return False
        return now - self._fetched_at >= self._cache_seconds or kid not in self._keys

    async def _fetch(self) -> None:
        self._attempted_at = time.monotonic()
        try:
            response = await self._client.get(self.url)
            response.raise_for_status()
            if len(response.content) > MAX_JWKS_BYTES:
                raise ValueError(f"JWKS larger than {MAX_JWKS_BYTES} bytes")
            keys = parse_jwks(response.json())
        except Exception as exc:
            # Fail closed but keep serving: tokens with unknown keys get a 401, never a 500.
            logger.warning("fetching the JWKS from %s failed: %r", self.url, exc)
            return
        if keys.keys() != self._keys.keys():
            logger.info("JWKS from %s now has kids %s", self.url, sorted(keys))
        self._keys = keys
        self._fetched_at = time.monotonic()
