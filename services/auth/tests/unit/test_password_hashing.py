"""The hashing slots: bounded concurrency, bounded waiting, inputs capped before hashing."""

import asyncio

import argon2
import pytest
from argon2 import profiles

from auth.errors import ServerBusy
from auth.passwords.hashing import PasswordHasher


def _hasher(**overrides) -> PasswordHasher:
    values = {
        "time_cost": profiles.CHEAPEST.time_cost,
        "memory_kib": profiles.CHEAPEST.memory_cost,
        "parallelism": profiles.CHEAPEST.parallelism,
        "concurrency": 2,
    } | overrides
    return PasswordHasher(**values)


async def test_hashes_are_argon2id_and_verify():
    hasher = _hasher()
    async with hasher.slot() as hashing:
        stored = await hashing.hash("correct horse")
        assert stored.startswith("$argon2id$v=19$")
        assert await hashing.verify(stored, "correct horse")
        assert not await hashing.verify(stored, "correct horse!")
        assert not await hashing.verify("not a hash", "correct horse")


async def test_no_more_than_the_configured_number_of_slots_are_held_at_once():
    hasher, held, most = _hasher(concurrency=2), 0, 0

    async def use():
        nonlocal held, most
        async with hasher.slot():
            held += 1
            most = max(most, held)
            await asyncio.sleep(0.01)
            held -= 1

    await asyncio.gather(*(use() for _ in range(10)))
    assert most == 2


async def test_waiting_longer_than_the_queue_timeout_is_a_503():
    hasher = _hasher(concurrency=1, queue_timeout_seconds=0.05)
    async with hasher.slot():
        with pytest.raises(ServerBusy):
            async with hasher.slot():
                pass
    async with hasher.slot():  # the slot was released
        pass


async def test_input_over_1024_bytes_is_never_hashed():
    hasher = _hasher()
    async with hasher.slot() as hashing:
        with pytest.raises(ValueError, match="cap"):
            await hashing.hash("é" * 513)
        assert not await hashing.verify(await hashing.hash("x" * 8), "é" * 513)


def test_a_hash_with_other_parameters_needs_rehashing():
    hasher = _hasher()
    old = argon2.PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1).hash("x")
    assert hasher.needs_rehash(old)
    assert not hasher.needs_rehash(hasher._dummy_hash)
