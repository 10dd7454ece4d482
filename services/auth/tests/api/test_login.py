"""POST /api/v1/auth/login (docs/api.md: Auth)."""

import pytest

from ..factories import PASSWORD, login, new_email, register

URL = "/api/v1/auth/login"


async def test_the_right_password_answers_200_with_a_token_pair(client):
    account = await register(client)
    response = await login(client, account.email, PASSWORD)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    assert body["refresh_expires_in"] == 30 * 86_400
    assert body["refresh_token"] != account.refresh_token
    me = await client.get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert me.json()["id"] == str(account.id)


async def test_the_email_is_case_insensitive(client):
    account = await register(client, new_email("MixedCase"))
    assert (await login(client, account.email.upper(), PASSWORD)).status_code == 200
    assert (await login(client, account.email.lower(), PASSWORD)).status_code == 200


async def test_unknown_email_and_wrong_password_get_byte_identical_answers(client):
    account = await register(client)
    same_id = {"X-Request-ID": "login-comparison"}
    unknown = await login(client, new_email(), PASSWORD, headers=same_id)
    wrong = await login(client, account.email, PASSWORD + "!", headers=same_id)
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.content == wrong.content
    assert dict(unknown.headers) == dict(wrong.headers)
    body = wrong.json()
    assert body["code"] == "invalid_credentials"
    assert wrong.headers["content-type"] == "application/problem+json"


async def test_a_100_character_password_is_checked_in_full(client):
    """No truncation (ASVS 6.2.8): bcrypt would accept any password sharing the first 72 bytes."""
    password = "".join(chr(ord("a") + i % 26) for i in range(99)) + "!"
    account = await register(client, password=password)
    for prefix in (password[:72], password[:99]):
        assert (await login(client, account.email, prefix)).status_code == 401
    assert (await login(client, account.email, password)).status_code == 200


@pytest.mark.parametrize(
    "password",
    [
        "k3#vLq9z",
        "z" * 64,
        "y" * 128,
        "пароль-для-проверки",
        "emoji 🔐🔑 password",
        "  spaces around  ",
    ],
)
async def test_accepted_passwords_round_trip_exactly(client, password):
    account = await register(client, password=password)
    assert (await login(client, account.email, password)).status_code == 200
    other = password[:-1] + ("x" if password[-1] != "x" else "y")
    assert (await login(client, account.email, other)).status_code == 401


async def test_unicode_passwords_match_whatever_the_normal_form(client):
    account = await register(client, password="Åsa-lösenord")  # composed Å
    assert (await login(client, account.email, "Åsa-lösenord")).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"email": "x@example.com"},
        {"password": PASSWORD},
        {"email": "x@example.com", "password": PASSWORD, "remember": True},
        {"email": "nope", "password": PASSWORD},
        {"email": "x@example.com", "password": ""},
        {"email": "x@example.com", "password": "x" * 129},
    ],
)
async def test_malformed_bodies_are_422(client, body):
    response = await client.post(URL, json=body)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
