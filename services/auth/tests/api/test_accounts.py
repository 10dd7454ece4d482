"""The account lifecycle (docs/api.md: Accounts): each endpoint, its codes, the mails it sends over
a real SMTP server, and the sessions it ends (refused by auth at once, announced by event)."""

import hashlib
import uuid

import pytest
from sqlalchemy import func, select, text

from auth.mail.models import MailedToken
from schediora_testkit.devmail import MailCatcher

from ..conftest import make_settings, running
from ..factories import PASSWORD, Account, login, new_email, register

pytestmark = pytest.mark.mail

NEW_PASSWORD = "a brand new passphrase 42"
ME = "/api/v1/users/me"


async def _status_of_me(client, account_or_token) -> int:
    token = getattr(account_or_token, "access_token", account_or_token)
    response = await client.get(ME, headers={"Authorization": f"Bearer {token}"})
    return response.status_code


async def _events(app, event_type: str, user_id: uuid.UUID) -> list[dict]:
    async with app.state.runtime.sessionmaker() as session:
        rows = await session.execute(
            text(
                "SELECT envelope FROM auth.outbox WHERE event_type = :type "
                "AND aggregate_id = :user ORDER BY id"
            ),
            {"type": event_type, "user": str(user_id)},
        )
        return [row[0]["payload"] for row in rows]


async def _session_ids(app, account: Account) -> set[str]:
    async with app.state.runtime.sessionmaker() as session:
        rows = await session.scalars(
            text("SELECT DISTINCT family_id::text FROM auth.refresh_tokens WHERE user_id = :u"),
            {"u": account.id},
        )
        return set(rows)


# --- change password -------------------------------------------------------------------------


async def test_changing_the_password_returns_a_new_pair_and_ends_every_other_session(client, app):
    account = await register(client)
    other_device = (await login(client, account.email, PASSWORD)).json()
    sessions = await _session_ids(app, account)

    response = await client.post(
        f"{ME}/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=account.bearer,
    )

    assert response.status_code == 200, response.text
    pair = response.json()
    assert set(pair) == {
        "access_token",
        "refresh_token",
        "token_type",
        "expires_in",
        "refresh_expires_in",
    }
    assert response.headers["cache-control"] == "no-store"
    assert await _status_of_me(client, pair["access_token"]) == 200
    assert await _status_of_me(client, account) == 401
    assert await _status_of_me(client, other_device["access_token"]) == 401
    for spent in (account.refresh_token, other_device["refresh_token"]):
        refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": spent})
        assert refreshed.status_code == 401
    assert (await login(client, account.email, PASSWORD)).status_code == 401
    assert (await login(client, account.email, NEW_PASSWORD)).status_code == 200
    [event] = await _events(app, "auth.sessions_revoked", account.id)
    assert event["reason"] == "password_changed"
    assert set(event["session_ids"]) == sessions


async def test_a_wrong_current_password_is_400_and_changes_nothing(client):
    account = await register(client)
    response = await client.post(
        f"{ME}/password",
        json={"current_password": "not my password", "new_password": NEW_PASSWORD},
        headers=account.bearer,
    )
    assert response.status_code == 400
    assert response.json()["code"] == "wrong_password"
    assert await _status_of_me(client, account) == 200
    assert (await login(client, account.email, PASSWORD)).status_code == 200


async def test_a_new_password_must_pass_the_register_policy(client):
    account = await register(client)
    for weak in ("short", "password123"):
        response = await client.post(
            f"{ME}/password",
            json={"current_password": PASSWORD, "new_password": weak},
            headers=account.bearer,
        )
        assert response.status_code == 422
        assert response.json()["code"] == "validation_error"
        assert weak not in response.text


async def test_account_endpoints_need_a_token(client):
    calls = [
        ("POST", f"{ME}/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}),
        ("POST", "/api/v1/auth/logout-all", None),
        ("POST", "/api/v1/auth/verify-email/request", None),
        ("DELETE", ME, {"password": PASSWORD}),
    ]
    for method, path, body in calls:
        response = await client.request(method, path, json=body)
        assert response.status_code == 401, path
        assert response.json()["code"] == "invalid_token"


# --- logout, reuse, logout-all: the access token is refused at once ----------------------------


async def test_logout_refuses_that_sessions_access_token_at_once(client, app):
    account = await register(client)
    other = (await login(client, account.email, PASSWORD)).json()
    response = await client.post(
        "/api/v1/auth/logout", json={"refresh_token": account.refresh_token}
    )
    assert response.status_code == 204
    assert await _status_of_me(client, account) == 401
    assert await _status_of_me(client, other["access_token"]) == 200
    [event] = await _events(app, "auth.sessions_revoked", account.id)
    assert event["reason"] == "logout"
    assert len(event["session_ids"]) == 1


async def test_refresh_token_reuse_refuses_the_familys_access_tokens(client, app):
    account = await register(client)
    rotated = (
        await client.post("/api/v1/auth/refresh", json={"refresh_token": account.refresh_token})
    ).json()
    assert await _status_of_me(client, rotated["access_token"]) == 200
    reused = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": account.refresh_token}
    )
    assert reused.status_code == 401
    assert await _status_of_me(client, rotated["access_token"]) == 401
    assert await _status_of_me(client, account) == 401
    [event] = await _events(app, "auth.sessions_revoked", account.id)
    assert event["reason"] == "refresh_token_reuse"


async def test_logout_all_ends_every_session(client, app):
    account = await register(client)
    other = (await login(client, account.email, PASSWORD)).json()
    response = await client.post("/api/v1/auth/logout-all", headers=account.bearer)
    assert response.status_code == 204
    assert await _status_of_me(client, account) == 401
    assert await _status_of_me(client, other["access_token"]) == 401
    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": other["refresh_token"]}
    )
    assert refreshed.status_code == 401
    assert (await login(client, account.email, PASSWORD)).status_code == 200
    [event] = await _events(app, "auth.sessions_revoked", account.id)
    assert event["reason"] == "logout_all"
    assert len(event["session_ids"]) == 2


# --- email verification ----------------------------------------------------------------------


async def test_registration_mails_a_verification_link_that_verifies_the_email(client, app, mailbox):
    account = await register(client)
    me = (await client.get(ME, headers=account.bearer)).json()
    assert me["email_verified"] is False

    [mail] = await mailbox.wait_for(account.email)
    assert "http://127.0.0.1:8000/verify-email?token=" in mail.text
    response = await client.post("/api/v1/auth/verify-email", json={"token": mail.token})

    assert response.status_code == 204
    me = (await client.get(ME, headers=account.bearer)).json()
    assert me["email_verified"] is True
    again = await client.post("/api/v1/auth/verify-email", json={"token": mail.token})
    assert again.status_code == 400
    assert again.json()["code"] == "invalid_token"


async def test_the_verification_mail_can_be_sent_again(client, mailbox):
    account = await register(client)
    response = await client.post("/api/v1/auth/verify-email/request", headers=account.bearer)
    assert response.status_code == 202
    assert response.json() == {}
    first, second = await mailbox.wait_for(account.email, count=2)
    assert first.token != second.token
    # Either link verifies.
    ok = await client.post("/api/v1/auth/verify-email", json={"token": first.token})
    assert ok.status_code == 204


async def test_an_unknown_or_malformed_verification_token_is_refused(client):
    unknown = await client.post("/api/v1/auth/verify-email", json={"token": "x" * 43})
    assert unknown.status_code == 400
    assert unknown.json()["code"] == "invalid_token"
    malformed = await client.post("/api/v1/auth/verify-email", json={"token": "a b"})
    assert malformed.status_code == 422


async def test_mailed_tokens_are_stored_only_as_hashes(client, app, mailbox):
    account = await register(client)
    [mail] = await mailbox.wait_for(account.email)
    async with app.state.runtime.sessionmaker() as session:
        stored = await session.scalar(
            select(func.count())
            .select_from(MailedToken)
            .where(MailedToken.token_hash == hashlib.sha256(mail.token.encode()).digest())
        )
        dump = await session.scalars(
            text(
                "SELECT t::text FROM auth.mailed_tokens t UNION ALL "
                "SELECT t::text FROM auth.mail_outbox t"
            )
        )
        assert stored == 1
        assert all(mail.token not in row for row in dump)


# --- forgot and reset ------------------------------------------------------------------------


async def test_forgot_answers_the_same_whether_or_not_the_email_exists(client, mailbox):
    account = await register(client)
    unknown = new_email("nobody")
    answers = [
        await client.post("/api/v1/auth/password/forgot", json={"email": email})
        for email in (unknown, account.email)
    ]
    assert [a.status_code for a in answers] == [202, 202]
    assert answers[0].content == answers[1].content == b"{}"
    mails = await mailbox.wait_for(account.email, count=2)  # verification, then reset
    reset = [m for m in mails if "reset-password?token=" in m.text]
    assert len(reset) == 1
    assert "http://127.0.0.1:8000/reset-password?token=" in reset[0].text
    assert mailbox.to(unknown) == []


async def test_a_reset_sets_the_password_once_and_ends_every_session(client, app, mailbox):
    account = await register(client)
    await client.post("/api/v1/auth/password/forgot", json={"email": account.email})
    token = (await _reset_mail(mailbox, account.email)).token

    response = await client.post(
        "/api/v1/auth/password/reset", json={"token": token, "new_password": NEW_PASSWORD}
    )

    assert response.status_code == 204
    assert await _status_of_me(client, account) == 401
    assert (await login(client, account.email, PASSWORD)).status_code == 401
    assert (await login(client, account.email, NEW_PASSWORD)).status_code == 200
    again = await client.post(
        "/api/v1/auth/password/reset", json={"token": token, "new_password": "yet another one 7"}
    )
    assert again.status_code == 400
    assert again.json()["code"] == "invalid_token"
    [event] = await _events(app, "auth.sessions_revoked", account.id)
    assert event["reason"] == "password_reset"


async def test_a_reset_token_expires_after_an_hour(client, clock, mailbox):
    account = await register(client)
    await client.post("/api/v1/auth/password/forgot", json={"email": account.email})
    token = (await _reset_mail(mailbox, account.email)).token
    clock.advance(minutes=61)
    response = await client.post(
        "/api/v1/auth/password/reset", json={"token": token, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_token"


async def test_a_reset_refuses_unknown_tokens_and_weak_passwords(client, mailbox):
    unknown = await client.post(
        "/api/v1/auth/password/reset", json={"token": "y" * 43, "new_password": NEW_PASSWORD}
    )
    assert unknown.status_code == 400
    assert unknown.json()["code"] == "invalid_token"
    weak = await client.post(
        "/api/v1/auth/password/reset", json={"token": "y" * 43, "new_password": "short"}
    )
    assert weak.status_code == 422


async def test_a_verification_token_does_not_reset_a_password(client, mailbox):
    account = await register(client)
    [mail] = await mailbox.wait_for(account.email)
    response = await client.post(
        "/api/v1/auth/password/reset", json={"token": mail.token, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 400


async def test_forgot_is_throttled_per_email(client):
    account = await register(client)
    answers = [
        await client.post("/api/v1/auth/password/forgot", json={"email": account.email})
        for _ in range(6)
    ]
    assert [a.status_code for a in answers] == [202] * 5 + [429]
    assert answers[-1].json()["code"] == "too_many_attempts"
    assert int(answers[-1].headers["retry-after"]) > 0


async def test_forgot_is_throttled_per_client_address(test_database):
    async with running(make_settings(forgot_per_address=3)) as (_, client):
        answers = [
            await client.post("/api/v1/auth/password/forgot", json={"email": new_email()})
            for _ in range(4)
        ]
    assert [a.status_code for a in answers] == [202, 202, 202, 429]


async def test_verification_resends_are_throttled_per_user(client, mailbox):
    account = await register(client)
    answers = [
        await client.post("/api/v1/auth/verify-email/request", headers=account.bearer)
        for _ in range(6)
    ]
    assert [a.status_code for a in answers] == [202] * 5 + [429]
    assert answers[-1].headers["content-type"] == "application/problem+json"
    assert answers[-1].json()["code"] == "too_many_requests"
    assert 0 < int(answers[-1].headers["retry-after"]) <= 3600
    # The registration's mail and five resends; the refused request sent nothing.
    assert len(await mailbox.wait_for(account.email, count=6)) == 6
    other = await register(client, email=new_email())
    response = await client.post("/api/v1/auth/verify-email/request", headers=other.bearer)
    assert response.status_code == 202


async def test_verification_resends_are_throttled_per_client_address(test_database):
    async with running(make_settings(verification_resends_per_address=3)) as (_, client):
        accounts = [await register(client) for _ in range(4)]
        answers = [
            await client.post("/api/v1/auth/verify-email/request", headers=account.bearer)
            for account in accounts
        ]
    assert [a.status_code for a in answers] == [202, 202, 202, 429]
    assert answers[-1].json()["code"] == "too_many_requests"
    assert int(answers[-1].headers["retry-after"]) > 0


async def _reset_mail(mailbox: MailCatcher, address: str):
    """The reset mail to `address` (the verification mail comes first)."""
    mails = await mailbox.wait_for(address, count=2)
    [reset] = [m for m in mails if "reset-password" in m.text]
    return reset


# --- delete ----------------------------------------------------------------------------------


async def test_deleting_the_account_needs_the_password(client):
    account = await register(client)
    response = await client.request(
        "DELETE", ME, json={"password": "not my password"}, headers=account.bearer
    )
    assert response.status_code == 400
    assert response.json()["code"] == "wrong_password"
    assert await _status_of_me(client, account) == 200


async def test_a_deleted_account_is_gone_and_its_email_can_register_again(client, app):
    account = await register(client)
    other = (await login(client, account.email, PASSWORD)).json()

    response = await client.request(
        "DELETE", ME, json={"password": PASSWORD}, headers=account.bearer
    )

    assert response.status_code == 204
    assert await _status_of_me(client, account) == 401
    assert await _status_of_me(client, other["access_token"]) == 401
    assert (await login(client, account.email, PASSWORD)).status_code == 401
    [event] = await _events(app, "auth.user_deleted", account.id)
    assert event["user_id"] == str(account.id)
    again = await register(client, account.email)
    assert again.id != account.id
    me = (await client.get(ME, headers=again.bearer)).json()
    assert me["preferences"] is None
    assert me["email_verified"] is False
    async with app.state.runtime.sessionmaker() as session:
        left = await session.scalar(
            text(
                "SELECT (SELECT count(*) FROM auth.users WHERE id = :u)"
                " + (SELECT count(*) FROM auth.refresh_tokens WHERE user_id = :u)"
                " + (SELECT count(*) FROM auth.mailed_tokens WHERE user_id = :u)"
                " + (SELECT count(*) FROM auth.mail_outbox WHERE user_id = :u)"
                " + (SELECT count(*) FROM auth.onboarding_preferences WHERE user_id = :u)"
            ),
            {"u": account.id},
        )
    assert left == 0
