"""Login costs the same for unknown and known emails, and hashing cannot be abused
(docs/architecture.md: Security). Real Argon2 parameters: about 0.15 s per hash here."""

import asyncio
import statistics
import time
from unittest import mock

import argon2
import pytest

from ..conftest import REAL_HASHING, make_settings, running
from ..factories import PASSWORD, login, new_email, register

TRIES = 30  # docs/reliability.md, item 23
LENIENT_THROTTLING = {"login_failures_per_email": 1000, "login_failures_per_address": 1000}


async def _timed(coroutine) -> tuple[float, int]:
    started = time.perf_counter()
    response = await coroutine
    return time.perf_counter() - started, response.status_code


async def test_unknown_and_known_emails_take_the_same_time_to_refuse(test_database):
    settings = make_settings(**REAL_HASHING, **LENIENT_THROTTLING)
    async with running(settings) as (_, client):
        account = await register(client)
        unknown_email = new_email("nobody")
        unknown, known = [], []
        for i in range(TRIES):
            # Interleaved, so any drift of the machine's speed hits both series alike.
            seconds, status = await _timed(login(client, unknown_email, f"guess number {i}"))
            assert status == 401
            unknown.append(seconds)
            seconds, status = await _timed(login(client, account.email, f"guess number {i}"))
            assert status == 401
            known.append(seconds)
    ratio = statistics.median(unknown) / statistics.median(known)
    print(
        f"median unknown {statistics.median(unknown) * 1000:.1f} ms, known "
        f"{statistics.median(known) * 1000:.1f} ms, ratio {ratio:.3f}"
    )
    assert 0.8 <= ratio <= 1.25


@pytest.mark.parametrize("path", ["/api/v1/auth/login", "/api/v1/auth/register"])
async def test_a_1_mib_password_is_refused_without_hashing(test_database, path):
    async with running(make_settings(**REAL_HASHING)) as (_, client):
        await client.get("/api/v1/auth/jwks.json")  # warm the app up
        body = {"email": new_email(), "password": "p" * (1024 * 1024)}
        with (
            mock.patch.object(argon2.PasswordHasher, "hash", side_effect=AssertionError),
            mock.patch.object(argon2.PasswordHasher, "verify", side_effect=AssertionError),
        ):
            # Any attempt to hash would raise inside the app and turn into a 500.
            response = await client.post(path, json=body)
    assert response.status_code in (413, 422)


async def test_twenty_concurrent_logins_all_succeed_without_a_server_error(test_database):
    """Speed is measured by `make bench` (auth section), not asserted here: a login waits for a
    hashing slot as long as it must (the 503 of a full queue is the next test's), so a loaded
    machine cannot turn the test's 20 logins into 503s."""
    settings = make_settings(**REAL_HASHING, password_queue_timeout_seconds=120)
    async with running(settings) as (_, client):
        account = await register(client)
        timings = await asyncio.gather(
            *(_timed(login(client, account.email, PASSWORD)) for _ in range(20))
        )
    statuses = [status for _, status in timings]
    assert statuses == [200] * 20
    seconds = sorted(s for s, _ in timings)
    p95 = seconds[int(0.95 * len(seconds)) - 1]
    print(f"20 concurrent logins: p50 {seconds[9]:.2f} s, p95 {p95:.2f} s")


async def test_logins_that_cannot_get_a_hashing_slot_in_time_are_503_with_retry_after(
    test_database,
):
    settings = make_settings(
        **REAL_HASHING, password_hashing_concurrency=1, password_queue_timeout_seconds=0.05
    )
    async with running(settings) as (_, client):
        account = await register(client)
        responses = await asyncio.gather(
            *(login(client, account.email, PASSWORD) for _ in range(4))
        )
    statuses = sorted(r.status_code for r in responses)
    assert statuses[0] == 200
    assert 503 in statuses
    busy = next(r for r in responses if r.status_code == 503)
    assert busy.json()["code"] == "server_busy"
    assert busy.headers["retry-after"] == "5"
