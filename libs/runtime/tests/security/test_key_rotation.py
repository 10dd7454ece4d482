"""Signing-key rotation and JWKS failure modes, against a real local HTTP server."""

import asyncio
import time
import uuid

import pytest

from schediora_runtime.security import RemoteJwks, TokenVerifier
from schediora_testkit.tokens import AUDIENCE, ISSUER, SigningKey, jwks

from .conftest import client_for, protected_app

PROTECTED = "/api/v1/me"


def remote_verifier(url: str, **options) -> TokenVerifier:
    options = {"timeout_seconds": 1.0, "cache_seconds": 300.0, **options}
    return TokenVerifier(RemoteJwks(url, **options), issuer=ISSUER, audience=AUDIENCE)


async def status(client, token: str) -> int:
    response = await client.get(PROTECTED, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (200, 401), response.text
    return response.status_code


async def seconds_until(client, token: str, expected: int, within: float) -> float:
    """Poll every 20 ms until the token gets `expected`; how long that took."""
    start = time.monotonic()
    while await status(client, token) != expected:
        if time.monotonic() - start > within:
            raise AssertionError(f"still not {expected} after {within} s")
        await asyncio.sleep(0.02)
    return time.monotonic() - start


async def test_rotation_accepts_the_new_kid_without_restart_and_drops_the_old_within_1s(
    jwks_server,
):
    old, new = SigningKey(), SigningKey()
    user_id = uuid.uuid4()
    jwks_server.document = jwks(old)
    verifier = remote_verifier(jwks_server.url, cache_seconds=0.5, refetch_interval_seconds=0.2)
    async with client_for(protected_app(verifier)) as client:
        old_token, new_token = old.access_token(user_id), new.access_token(user_id)
        assert await status(client, old_token) == 200
        assert await status(client, new_token) == 401  # not published yet

        # Overlap: auth publishes the new key next to the old one. No restart here.
        jwks_server.document = jwks(old, new)
        await seconds_until(client, new_token, 200, within=1.0)
        for _ in range(10):  # the old kid keeps working throughout the overlap
            assert await status(client, old_token) == 200
            await asyncio.sleep(0.06)

        # The old key is withdrawn: its tokens are refused within a second.
        jwks_server.document = jwks(new)
        assert await seconds_until(client, old_token, 401, within=1.0) <= 1.0
        assert await status(client, new_token) == 200
    await verifier.aclose()


async def test_made_up_kids_cannot_make_the_verifier_hammer_auth(jwks_server, key):
    jwks_server.document = jwks(key)
    verifier = remote_verifier(jwks_server.url)
    user_id = uuid.uuid4()
    async with client_for(protected_app(verifier)) as client:
        assert await status(client, key.access_token(user_id)) == 200
        forged = [SigningKey().access_token(user_id) for _ in range(50)]
        statuses = await asyncio.gather(*(status(client, token) for token in forged))
    assert set(statuses) == {401}
    # One fetch at start; the unknown kids may add at most one more within the interval.
    assert jwks_server.requests <= 2
    await verifier.aclose()


async def test_a_jwks_timeout_is_a_fast_401_and_is_not_retried_per_request(jwks_server, key):
    jwks_server.document = jwks(key)
    jwks_server.delay = 5.0
    verifier = remote_verifier(jwks_server.url, timeout_seconds=0.3)
    token = key.access_token(uuid.uuid4())
    async with client_for(protected_app(verifier)) as client:
        start = time.monotonic()
        assert await status(client, token) == 401
        first = time.monotonic() - start
        start = time.monotonic()
        assert await status(client, token) == 401
        second = time.monotonic() - start
    assert first < 1.0
    assert second < 0.1  # within the refetch interval: no second wait on auth
    assert jwks_server.requests == 1
    await verifier.aclose()


@pytest.mark.parametrize(
    ("status_code", "body"),
    [
        (500, b'{"detail": "boom"}'),
        (200, b"<html>not json</html>"),
        (200, b'{"keys": "not a list"}'),
        (200, b"[]"),
        (302, b""),
    ],
    ids=["server error", "not json", "keys not a list", "not an object", "redirect"],
)
async def test_a_broken_jwks_answer_is_a_401_not_a_500(jwks_server, key, status_code, body):
    jwks_server.status, jwks_server.body = status_code, body
    verifier = remote_verifier(jwks_server.url)
    async with client_for(protected_app(verifier)) as client:
        response = await client.get(
            PROTECTED, headers={"Authorization": f"Bearer {key.access_token(uuid.uuid4())}"}
        )
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    await verifier.aclose()


async def test_an_unreachable_auth_is_a_401_not_a_500(key, unused_tcp_port):
    url = f"http://127.0.0.1:{unused_tcp_port}/api/v1/auth/jwks.json"
    verifier = remote_verifier(url)
    async with client_for(protected_app(verifier)) as client:
        assert await status(client, key.access_token(uuid.uuid4())) == 401
    await verifier.aclose()


async def test_known_keys_stay_usable_while_auth_is_down_after_the_cache_expires(jwks_server, key):
    jwks_server.document = jwks(key)
    verifier = remote_verifier(jwks_server.url, cache_seconds=0.2, refetch_interval_seconds=0.1)
    token = key.access_token(uuid.uuid4())
    async with client_for(protected_app(verifier)) as client:
        assert await status(client, token) == 200
        jwks_server.status = 503
        await asyncio.sleep(0.3)
        assert await status(client, token) == 200
        assert jwks_server.requests == 2  # it did try again, and kept the last good keys
    await verifier.aclose()


async def test_only_ed25519_signature_keys_of_the_jwks_are_trusted(jwks_server, key):
    published = key.public_jwk()
    private = {**SigningKey(kid="leaked").public_jwk(), "d": "AAAA"}
    other_use = {**SigningKey(kid="enc").public_jwk(), "use": "enc"}
    rsa = {"kty": "RSA", "kid": "rsa", "n": "AQAB", "e": "AQAB"}
    jwks_server.document = {"keys": [published, private, other_use, rsa, "junk"]}
    keys = RemoteJwks(jwks_server.url, timeout_seconds=1.0, cache_seconds=300.0)
    assert await keys.get(key.kid) is not None
    for kid in ("leaked", "enc", "rsa"):
        assert await keys.get(kid) is None
    await keys.aclose()


async def test_the_scheduled_refresh_drops_a_withdrawn_key_whatever_the_cache(jwks_server):
    """A process that missed auth's announcement: its 300 s cache does not keep a withdrawn key
    past the next scheduled refresh (JWKS_REFRESH_SECONDS)."""
    old, new = SigningKey(), SigningKey()
    user_id = uuid.uuid4()
    jwks_server.document = jwks(old, new)
    verifier = remote_verifier(jwks_server.url, cache_seconds=300.0)
    assert isinstance(verifier.keys, RemoteJwks)
    refresher = asyncio.create_task(verifier.keys.run_refresh(0.2))
    try:
        async with client_for(protected_app(verifier)) as client:
            old_token = old.access_token(user_id)
            assert await status(client, old_token) == 200
            jwks_server.document = jwks(new)
            assert await seconds_until(client, old_token, 401, within=2.0) <= 2.0
            assert await status(client, new.access_token(user_id)) == 200
    finally:
        refresher.cancel()
        await asyncio.gather(refresher, return_exceptions=True)


async def test_an_announcement_drops_unlisted_keys_even_when_the_refetch_fails(jwks_server):
    old, new = SigningKey(), SigningKey()
    jwks_server.document = jwks(old, new)
    keys = RemoteJwks(jwks_server.url, timeout_seconds=1.0, cache_seconds=300.0)
    try:
        assert await keys.get(old.kid) is not None
        jwks_server.status = 503  # auth unreachable right now
        await keys.announce([new.kid])
        assert await keys.get(old.kid) is None
        assert await keys.get(new.kid) is not None
    finally:
        await keys.aclose()
