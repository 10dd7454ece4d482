"""Argon2id hashing, bounded: a few hashes at a time, each in a worker thread (argon2-cffi
releases the GIL), inputs capped before any work. OWASP Password Storage Cheat Sheet."""

import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import argon2
from argon2.exceptions import InvalidHashError, VerificationError

from auth.errors import ServerBusy
from auth.passwords.policy import MAX_BYTES, normalized

SALT_BYTES = 16
HASH_BYTES = 32


class PasswordHasher:
    """Holds the Argon2id parameters and the slots that bound concurrent hashing."""

    def __init__(
        self,
        *,
        time_cost: int,
        memory_kib: int,
        parallelism: int,
        concurrency: int,
        queue_timeout_seconds: float = 5.0,
    ) -> None:
        self._argon2 = argon2.PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_kib,
            parallelism=parallelism,
            hash_len=HASH_BYTES,
            salt_len=SALT_BYTES,
            type=argon2.Type.ID,
        )
        self._slots = asyncio.Semaphore(concurrency)
        self._queue_timeout = queue_timeout_seconds
        # Verified against when the email is unknown, so that answer takes as long as a wrong
        # password for a known one (no enumeration by timing; OWASP Authentication Cheat Sheet).
        self._dummy_hash = self._argon2.hash(secrets.token_urlsafe(16))

    @property
    def parameters(self) -> argon2.Parameters:
        return argon2.extract_parameters(self._dummy_hash)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator["HashingSlot"]:
        """Wait for a free slot; hold it for the whole use case that hashes.

        Holding it around the use case, not only the hash, keeps requests that wait for a slot
        from holding a database connection meanwhile. Waiting is bounded: past the queue
        timeout the caller's client has most likely given up, so `ServerBusy` (503) is raised
        rather than spending a hash on nobody."""
        try:
            async with asyncio.timeout(self._queue_timeout):
                await self._slots.acquire()
        except TimeoutError:
            raise ServerBusy from None
        try:
            yield HashingSlot(self)
        finally:
            self._slots.release()

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._argon2.check_needs_rehash(stored_hash)


class HashingSlot:
    """Hashing while a slot is held; only `PasswordHasher.slot()` hands one out."""

    def __init__(self, hasher: PasswordHasher) -> None:
        self._argon2 = hasher._argon2
        self._dummy_hash = hasher._dummy_hash

    async def hash(self, password: str) -> str:
        data = normalized(password)
        if len(data) > MAX_BYTES:
            raise ValueError("password over the hashing input cap")
        return await asyncio.to_thread(self._argon2.hash, data)

    async def verify(self, stored_hash: str, password: str) -> bool:
        data = normalized(password)
        if len(data) > MAX_BYTES:
            return False
        try:
            return await asyncio.to_thread(self._argon2.verify, stored_hash, data)
        except (VerificationError, InvalidHashError):
            return False

    async def verify_nothing(self, password: str) -> None:
        """Spend the time of a real verification for an account that does not exist."""
        await self.verify(self._dummy_hash, password)
