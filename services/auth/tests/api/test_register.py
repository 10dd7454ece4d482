"""POST /api/v1/auth/register (docs/api.md: Auth)."""

import asyncio
import uuid

import pytest
from sqlalchemy import func, select

from auth.users.models import User

from ..conftest import make_settings, running
from ..factories import PASSWORD, new_email, register

URL = "/api/v1/auth/register"


async def test_registration_answers_201_with_the_user_and_a_token_pair(client):
    email = new_email()
    response = await client.post(
        URL, json={"email": email, "password": PASSWORD, "display_name": "Ada"}
    )
    assert response.status_code == 201
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {"user", "tokens"}
    user = body["user"]
    assert set(user) == {
        "id",
        "email",
        "display_name",
        "email_verified",
        "created_at",
        "preferences",
    }
    uuid.UUID(user["id"])
    assert (user["email"], user["display_name"], user["preferences"]) == (email, "Ada", None)
    assert user["created_at"].endswith("Z")
    tokens = body["tokens"]
    assert set(tokens) == {
        "access_token",
        "refresh_token",
        "token_type",
        "expires_in",
        "refresh_expires_in",
    }
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 900
    assert tokens["refresh_expires_in"] == 30 * 86_400
    me = await client.get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert me.json() == user


async def test_display_name_is_optional(client):
    account = await register(client)
    me = await client.get("/api/v1/users/me", headers=account.bearer)
    assert me.json()["display_name"] is None


async def test_an_existing_email_is_answered_409_email_taken_case_insensitively(client):
    """docs/api.md answers `409 email_taken`. That tells anyone whether an address has an account:
    a recorded deviation from ASVS 5.0 6.3.8 (L3), mitigated by a per-address limit on such
    answers (README.md "Deviations")."""
    email = new_email("Taken")
    await register(client, email)
    for variant in (email, email.upper(), email.lower()):
        response = await client.post(URL, json={"email": variant, "password": "another pass 1"})
        assert response.status_code == 409
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "email_taken"


@pytest.mark.parametrize(
    "email", ["not-an-email", "a@b", "@example.com", "a@@example.com", "", "a b@example.com"]
)
async def test_an_invalid_email_is_422(client, email):
    response = await client.post(URL, json={"email": email, "password": PASSWORD})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["errors"][0]["loc"] == ["body", "email"]


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("k3#vLq9", "at least 8"),
        ("x" * 129, "at most 128"),
        ("password", "too common"),
        ("12345678", "too common"),
        ("Password", "too common"),
    ],
)
async def test_an_unacceptable_password_is_422_and_never_echoed(client, password, reason):
    response = await client.post(URL, json={"email": new_email(), "password": password})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["errors"][0]["loc"] == ["body", "password"]
    assert reason in body["errors"][0]["msg"]
    assert set(body["errors"][0]) == {"loc", "msg"}  # the input is never echoed


@pytest.mark.parametrize("display_name", ["", "x" * 81])
async def test_display_name_must_be_1_to_80_characters(client, display_name):
    response = await client.post(
        URL, json={"email": new_email(), "password": PASSWORD, "display_name": display_name}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "display_name"]


async def test_80_character_display_name_is_accepted(client):
    await register(client, display_name="é" * 80)


@pytest.mark.parametrize(
    "body",
    [
        {"email": "x@example.com", "password": PASSWORD, "is_admin": True},
        {"password": PASSWORD},
        {"email": "x@example.com"},
        [],
    ],
)
async def test_unknown_or_missing_fields_are_422(client, body):
    response = await client.post(URL, json=body)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_twenty_concurrent_registrations_of_one_email_create_exactly_one_account(client, app):
    email = new_email("race")
    responses = await asyncio.gather(
        *(client.post(URL, json={"email": email, "password": PASSWORD}) for _ in range(20))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 19
    async with app.state.runtime.sessionmaker() as session:
        count = await session.scalar(
            select(func.count()).select_from(User).where(func.lower(User.email) == email)
        )
    assert count == 1


async def test_an_address_that_keeps_hitting_taken_emails_is_throttled(test_database):
    settings = make_settings(register_conflicts_per_address=3)
    async with running(settings) as (_, client):
        taken = (await register(client)).email
        for _ in range(3):
            conflict = await client.post(URL, json={"email": taken, "password": PASSWORD})
            assert conflict.status_code == 409
        refused = await client.post(URL, json={"email": new_email(), "password": PASSWORD})
        assert refused.status_code == 429
        assert refused.json()["code"] == "too_many_attempts"
        assert int(refused.headers["retry-after"]) > 3000
        elsewhere = await client.post(
            URL,
            json={"email": new_email(), "password": PASSWORD},
            headers={"X-Forwarded-For": "203.0.113.77"},
        )
        assert elsewhere.status_code == 201
