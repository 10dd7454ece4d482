"""Key rotation (`python -m auth.signing`): a new key signs with no restart, the old one stays
accepted until withdrawn, a withdrawn key is refused by auth and dropped by every process that
hears auth's `SigningKeysRotated` (over the real broker), and the signing key cannot be
withdrawn."""

import asyncio
import base64
import json
import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import create_engine, text

from auth.signing.__main__ import main, run
from auth.signing.keys import key_id
from schediora_runtime.messaging.broker import Broker
from schediora_runtime.messaging.topology import Topology
from schediora_runtime.security import RemoteJwks
from schediora_runtime.security.key_rotation import KeyRotationListener
from schediora_testkit import testing

from ..conftest import SIGNING_KEY, make_settings, running
from ..factories import register

JWKS = "/api/v1/auth/jwks.json"


def _kid(token: str) -> str:
    part = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))["kid"]


@pytest.fixture
def clean_keys(test_database) -> Iterator[None]:
    """The rotated keys live in the shared test database: other tests sign with theirs."""
    yield
    engine = create_engine(testing.database_url("auth"))
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM signing_keys"))
    engine.dispose()


async def _kids(client: httpx.AsyncClient) -> list[str]:
    return [jwk["kid"] for jwk in (await client.get(JWKS)).json()["keys"]]


async def _refused_within(client: httpx.AsyncClient, token: str, seconds: float) -> float:
    start = time.monotonic()
    headers = {"Authorization": f"Bearer {token}"}
    while (await client.get("/api/v1/users/me", headers=headers)).status_code != 401:
        assert time.monotonic() - start < seconds, "still accepted"
        await asyncio.sleep(0.02)
    return time.monotonic() - start


async def test_rotate_then_withdraw_with_no_restart(clean_keys):
    settings = make_settings(signing_keys_refresh_seconds=0.2)
    old_kid = key_id(SIGNING_KEY.public_key())
    async with running(settings) as (_app, client):
        before = await register(client)
        assert _kid(before.access_token) == old_kid

        rotated = await run(settings, "rotate")

        assert rotated is not None
        assert rotated.signing_kid != old_kid
        assert rotated.kids == [rotated.signing_kid, old_kid]
        assert await _kids(client) == [rotated.signing_kid, old_kid]
        after = await register(client)
        assert _kid(after.access_token) == rotated.signing_kid
        for account in (before, after):
            me = await client.get("/api/v1/users/me", headers=account.bearer)
            assert me.status_code == 200, me.text

        withdrawn = await run(settings, "withdraw", old_kid)

        assert withdrawn is not None
        assert (withdrawn.kids, withdrawn.withdrawn_kids) == ([rotated.signing_kid], [old_kid])
        assert await _kids(client) == [rotated.signing_kid]
        seconds = await _refused_within(client, before.access_token, 5)
        print(f"auth refused the withdrawn kid's token after {seconds:.3f} s")
        me = await client.get("/api/v1/users/me", headers=after.bearer)
        assert me.status_code == 200


def test_the_key_that_signs_cannot_be_withdrawn(clean_keys, capsys, monkeypatch):
    settings = make_settings()
    assert settings.jwt_signing_key is not None
    for name, value in {
        "DATABASE_URL": str(settings.database_url),
        "JWT_SIGNING_KEY": settings.jwt_signing_key.get_secret_value(),
        "ENVIRONMENT": "test",
    }.items():
        monkeypatch.setenv(name, value)
    signing_kid = key_id(SIGNING_KEY.public_key())

    assert main(["withdraw", signing_kid]) == 2
    assert "rotate to a new key first" in capsys.readouterr().err
    assert main(["withdraw", "no-such-kid"]) == 2
    assert "not a published key" in capsys.readouterr().err
    # A kid is base64url: one that begins with "-" is a kid, not an option.
    assert main(["withdraw", "-no-such-kid"]) == 2
    assert "not a published key" in capsys.readouterr().err
    assert main(["list"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "signing_kid": signing_kid,
        "kids": [signing_kid],
    }


async def test_every_listening_process_drops_a_withdrawn_key_at_once(clean_keys):
    # A verifier as planner and ai run it, on auth's JWKS, with a cache that would otherwise
    # keep the withdrawn key for five minutes and no scheduled refresh in the test's time.
    settings = make_settings()
    old_kid = key_id(SIGNING_KEY.public_key())
    async with running(settings) as (app, _client):
        keys = [
            RemoteJwks(
                f"http://auth.test{JWKS}",
                timeout_seconds=2,
                cache_seconds=300,
                transport=httpx.ASGITransport(app=app),
            )
            for _ in range(2)
        ]
        topology = Topology(exchange=settings.events_exchange, queue=testing.unique_name("x"))
        brokers = [Broker(settings.rabbitmq_url, topology, name=f"listener-{i}") for i in (0, 1)]
        listeners = [KeyRotationListener(b, k) for b, k in zip(brokers, keys, strict=True)]
        try:
            for broker, listener in zip(brokers, listeners, strict=True):
                await broker.start()
                await broker.wait_connected(10)
                await listener.start()
            for jwks in keys:
                assert await jwks.get(old_kid) is not None
            await _listening(listeners)

            rotated = await run(settings, "rotate")
            assert rotated is not None
            await _until(lambda: all(rotated.signing_kid in j._keys for j in keys))

            start = time.monotonic()
            await run(settings, "withdraw", old_kid)
            await _until(lambda: all(old_kid not in j._keys for j in keys))
            seconds = time.monotonic() - start
            print(
                f"both listeners dropped the withdrawn kid {seconds:.3f} s after the command began"
            )
            for jwks in keys:
                assert await jwks.get(old_kid) is None
                assert await jwks.get(rotated.signing_kid) is not None
        finally:
            for listener, broker, jwks in zip(listeners, brokers, keys, strict=True):
                await listener.stop()
                await broker.stop()
                await jwks.aclose()


async def _listening(listeners: list[KeyRotationListener]) -> None:
    await _until(lambda: all(listener._channel is not None for listener in listeners))
    await asyncio.sleep(0.2)  # the queue's binding follows its declaration


async def _until(condition, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met"
        await asyncio.sleep(0.02)
