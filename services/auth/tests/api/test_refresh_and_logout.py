"""Refresh rotation, reuse detection, lifetimes and logout (auth README: Tokens)."""

import asyncio
import base64
import json
import logging

from sqlalchemy import select

from auth.sessions.models import RefreshToken
from auth.sessions.service import token_hash

from ..factories import PASSWORD, login, register

REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"


async def _refresh(client, token):
    return await client.post(REFRESH, json={"refresh_token": token})


async def _family(app, refresh_token) -> list[RefreshToken]:
    async with app.state.runtime.sessionmaker() as session:
        token = await session.scalar(
            select(RefreshToken).where(RefreshToken.token_hash == token_hash(refresh_token))
        )
        return list(
            await session.scalars(
                select(RefreshToken)
                .where(RefreshToken.family_id == token.family_id)
                .order_by(RefreshToken.created_at)
            )
        )


def _claims(access_token: str) -> dict:
    part = access_token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


async def test_a_refresh_rotates_the_pair_and_spends_the_old_token(client):
    account = await register(client)
    response = await _refresh(client, account.refresh_token)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    pair = response.json()
    assert pair["token_type"] == "bearer"
    assert pair["refresh_token"] != account.refresh_token
    assert pair["access_token"] != account.access_token
    me = await client.get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {pair['access_token']}"}
    )
    assert me.status_code == 200


async def test_reusing_a_rotated_token_revokes_the_whole_family(client, app, caplog):
    account = await register(client)
    rt1 = account.refresh_token
    rt2 = (await _refresh(client, rt1)).json()["refresh_token"]

    caplog.clear()
    with caplog.at_level(logging.INFO, logger="auth.security"):
        reuse = await _refresh(client, rt1)
    assert reuse.status_code == 401
    assert reuse.json()["code"] == "invalid_refresh_token"
    reuse_events = [r for r in caplog.records if getattr(r, "security_event", None)]
    assert [r.security_event for r in reuse_events] == ["refresh_token_reuse"]
    assert reuse_events[0].user_id == str(account.id)

    assert (await _refresh(client, rt2)).status_code == 401  # the newest one too
    assert all(token.revoked_at is not None for token in await _family(app, rt1))
    # The account itself is fine: a fresh login starts a new family.
    fresh = await login(client, account.email, PASSWORD)
    assert fresh.status_code == 200
    assert (await _refresh(client, fresh.json()["refresh_token"])).status_code == 200


async def test_parallel_refreshes_of_one_token_rotate_it_once_then_revoke_the_family(client, app):
    """Five refreshes of one token at once: the row lock lets exactly one rotate it (200); each
    of the others then finds it spent, which is reuse (the client raced itself, or a thief
    did), so it is answered 401 invalid_refresh_token and the whole family is revoked, the
    token just handed out included."""
    account = await register(client)
    responses = await asyncio.gather(*(_refresh(client, account.refresh_token) for _ in range(5)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 401, 401, 401, 401], [r.text for r in responses]
    refused = [r for r in responses if r.status_code == 401]
    assert {r.json()["code"] for r in refused} == {"invalid_refresh_token"}
    assert {r.headers["content-type"] for r in refused} == {"application/problem+json"}
    family = await _family(app, account.refresh_token)
    assert len(family) == 2  # the original and the one rotation: nothing was issued twice
    assert all(token.revoked_at is not None for token in family)
    (handed_out,) = [r.json()["refresh_token"] for r in responses if r.status_code == 200]
    assert (await _refresh(client, handed_out)).status_code == 401


async def test_access_tokens_expire_within_15_minutes(client):
    account = await register(client)
    claims = _claims(account.access_token)
    assert claims["exp"] - claims["iat"] <= 900


async def test_rotation_never_extends_the_absolute_30_day_lifetime(client, clock):
    account = await register(client)
    clock.advance(days=10)
    pair = (await _refresh(client, account.refresh_token)).json()
    assert 20 * 86_400 - 5 <= pair["refresh_expires_in"] <= 20 * 86_400
    clock.advance(days=20, seconds=-2)
    pair = (await _refresh(client, pair["refresh_token"])).json()
    assert pair["refresh_expires_in"] <= 2
    clock.advance(seconds=3)  # absolute expiry + 1 s
    expired = await _refresh(client, pair["refresh_token"])
    assert expired.status_code == 401
    assert expired.json()["code"] == "invalid_refresh_token"


async def test_an_unknown_refresh_token_is_401(client):
    for token in ("nope", "A" * 43, account_like := "x" * 256):
        response = await _refresh(client, token)
        assert response.status_code == 401, account_like
        assert response.json()["code"] == "invalid_refresh_token"


async def test_an_access_token_is_no_refresh_token(client):
    account = await register(client)
    response = await _refresh(client, account.access_token)
    assert response.status_code in (401, 422)


async def test_refresh_bodies_are_strict(client):
    for body in ({}, {"refresh_token": ""}, {"refresh_token": "x", "scope": "all"}):
        response = await client.post(REFRESH, json=body)
        assert response.status_code == 422
        assert response.json()["code"] == "validation_error"


async def test_logout_answers_204_and_revokes_the_family(client, app):
    account = await register(client)
    rt2 = (await _refresh(client, account.refresh_token)).json()["refresh_token"]
    response = await client.post(LOGOUT, json={"refresh_token": account.refresh_token})
    assert response.status_code == 204
    assert response.content == b""
    assert (await _refresh(client, rt2)).status_code == 401
    assert all(token.revoked_at is not None for token in await _family(app, rt2))


async def test_refresh_after_logout_is_401(client):
    account = await register(client)
    assert (await client.post(LOGOUT, json={"refresh_token": account.refresh_token})).status_code
    response = await _refresh(client, account.refresh_token)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_refresh_token"


async def test_logout_is_idempotent_and_quiet_about_unknown_tokens(client):
    account = await register(client)
    for token in (account.refresh_token, account.refresh_token, "never-issued"):
        response = await client.post(LOGOUT, json={"refresh_token": token})
        assert response.status_code == 204


async def test_logout_of_one_session_leaves_the_others(client):
    account = await register(client)
    other = (await login(client, account.email, PASSWORD)).json()["refresh_token"]
    await client.post(LOGOUT, json={"refresh_token": account.refresh_token})
    assert (await _refresh(client, other)).status_code == 200


async def test_logout_needs_a_body(client):
    response = await client.post(LOGOUT, json={})
    assert response.status_code == 422
