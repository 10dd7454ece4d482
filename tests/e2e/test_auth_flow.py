"""End to end through the gateway: register, log in, profile, preferences, refresh, log out,
and the planner's copy of the preferences, built from auth's event."""

import time
import uuid

import httpx
import pytest
import sqlalchemy as sa

from schediora_testkit import testing

pytestmark = pytest.mark.e2e

PASSWORD = "e2e correct horse battery staple"


def _planner_user(user_id: str):
    engine = sa.create_engine(testing.database_url(None))
    try:
        with engine.connect() as conn:
            return conn.execute(
                sa.text(
                    "SELECT timezone, week_starts_on, daily_goal_minutes, availability "
                    "FROM planner.users WHERE id = :id"
                ),
                {"id": user_id},
            ).one_or_none()
    finally:
        engine.dispose()


def _wait_for(check, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout}s: {check.__name__}")


def test_a_user_signs_up_sets_preferences_and_signs_out_through_the_gateway(stack):
    api = httpx.Client(base_url=f"{stack.gateway}/api/v1", timeout=15)
    email = f"e2e-{uuid.uuid4().hex[:10]}@example.com"
    preferences = {
        "timezone": "Asia/Tokyo",
        "week_starts_on": "sunday",
        "daily_goal_minutes": 180,
        "session_minutes": 45,
        "break_minutes": 15,
        "availability": [{"weekday": 5, "start": "09:00", "end": "12:30"}],
        "preferred_time_of_day": "morning",
    }

    registered = api.post(
        "/auth/register", json={"email": email, "password": PASSWORD, "display_name": "E2E"}
    )
    assert registered.status_code == 201, registered.text
    user_id = registered.json()["user"]["id"]

    login = api.post("/auth/login", json={"email": email.upper(), "password": PASSWORD})
    assert login.status_code == 200, login.text
    tokens = login.json()
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}

    me = api.get("/users/me", headers=bearer)
    assert me.status_code == 200
    assert (me.json()["id"], me.json()["email"], me.json()["preferences"]) == (
        user_id,
        email,
        None,
    )

    put = api.put("/users/preferences", json=preferences, headers=bearer)
    assert put.status_code == 200, put.text
    assert api.get("/users/me", headers=bearer).json()["preferences"] == preferences

    refreshed = api.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200
    new_tokens = refreshed.json()
    assert new_tokens["refresh_token"] != tokens["refresh_token"]
    new_bearer = {"Authorization": f"Bearer {new_tokens['access_token']}"}
    assert api.get("/users/me", headers=new_bearer).status_code == 200

    logout = api.post("/auth/logout", json={"refresh_token": new_tokens["refresh_token"]})
    assert logout.status_code == 204
    after = api.post("/auth/refresh", json={"refresh_token": new_tokens["refresh_token"]})
    assert after.status_code == 401
    assert after.json()["code"] == "invalid_refresh_token"

    def planner_has_the_preferences():
        row = _planner_user(user_id)
        return row if row is not None and row.daily_goal_minutes == 180 else None

    row = _wait_for(planner_has_the_preferences)
    assert (row.timezone, row.week_starts_on) == ("Asia/Tokyo", "sunday")
    assert row.availability == preferences["availability"]

    secrets = [PASSWORD, tokens["access_token"], tokens["refresh_token"]]
    secrets += [new_tokens["access_token"], new_tokens["refresh_token"]]
    for log in stack.log_dir.glob("*.log"):
        text = log.read_text()
        assert not [s for s in secrets if s in text], log.name


def test_jwks_and_unauthenticated_answers_through_the_gateway(stack):
    api = httpx.Client(base_url=f"{stack.gateway}/api/v1", timeout=15)
    keys = api.get("/auth/jwks.json").json()["keys"]
    assert keys
    assert all(k["kty"] == "OKP" and k["alg"] == "EdDSA" and "d" not in k for k in keys)
    me = api.get("/users/me")
    assert me.status_code == 401
    assert me.headers["www-authenticate"] == "Bearer"
    wrong = api.post(
        "/auth/login", json={"email": f"nobody-{uuid.uuid4().hex}@example.com", "password": "x"}
    )
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "invalid_credentials"
