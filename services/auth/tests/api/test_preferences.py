"""PUT /api/v1/users/preferences (docs/api.md: Users): a full replace, strictly validated."""

import pytest

from ..factories import preferences, register

URL = "/api/v1/users/preferences"


async def test_put_answers_200_with_the_preferences_and_replaces_them_whole(client):
    account = await register(client)
    first = preferences()
    response = await client.put(URL, json=first, headers=account.bearer)
    assert response.status_code == 200
    assert response.json() == first

    second = preferences(
        timezone="America/New_York",
        week_starts_on="sunday",
        availability=[{"weekday": 6, "start": "07:00", "end": "24:00"}],
        preferred_time_of_day="any",
    )
    assert (await client.put(URL, json=second, headers=account.bearer)).json() == second
    me = await client.get("/api/v1/users/me", headers=account.bearer)
    assert me.json()["preferences"] == second


async def test_preferences_are_per_user(client):
    alice, bob = await register(client), await register(client)
    await client.put(URL, json=preferences(daily_goal_minutes=60), headers=alice.bearer)
    await client.put(URL, json=preferences(daily_goal_minutes=90), headers=bob.bearer)
    alice_me = await client.get("/api/v1/users/me", headers=alice.bearer)
    assert alice_me.json()["preferences"]["daily_goal_minutes"] == 60


async def test_put_without_a_token_is_401(client):
    response = await client.put(URL, json=preferences())
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"week_starts_on": "wednesday"}, "week_starts_on"),
        ({"daily_goal_minutes": 14}, "daily_goal_minutes"),
        ({"daily_goal_minutes": 721}, "daily_goal_minutes"),
        ({"session_minutes": 14}, "session_minutes"),
        ({"session_minutes": 241}, "session_minutes"),
        ({"break_minutes": -1}, "break_minutes"),
        ({"break_minutes": 61}, "break_minutes"),
        ({"availability": []}, "availability"),
        ({"availability": [{"weekday": 0, "start": "10:00", "end": "09:00"}]}, "availability"),
        ({"availability": [{"weekday": 0, "start": "9:00", "end": "10:00"}]}, "availability"),
        (
            {
                "availability": [
                    {"weekday": 4, "start": "10:00", "end": "12:00"},
                    {"weekday": 4, "start": "11:30", "end": "13:00"},
                ]
            },
            "availability",
        ),
        ({"preferred_time_of_day": "midnight"}, "preferred_time_of_day"),
        ({"theme": "dark"}, "theme"),
    ],
)
async def test_invalid_preferences_are_422_and_nothing_changes(client, overrides, field):
    account = await register(client)
    await client.put(URL, json=preferences(), headers=account.bearer)
    response = await client.put(URL, json=preferences(**overrides), headers=account.bearer)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert any(field in error["loc"] for error in body["errors"]), body["errors"]
    me = await client.get("/api/v1/users/me", headers=account.bearer)
    assert me.json()["preferences"] == preferences()


async def test_a_partial_document_is_422_because_put_replaces_everything(client):
    account = await register(client)
    response = await client.put(URL, json={"timezone": "UTC"}, headers=account.bearer)
    assert response.status_code == 422


async def test_28_windows_are_the_most_allowed(client):
    account = await register(client)
    windows = [
        {"weekday": day, "start": f"{hour:02d}:00", "end": f"{hour:02d}:45"}
        for day in range(7)
        for hour in (6, 9, 12, 15)
    ]
    ok = await client.put(URL, json=preferences(availability=windows), headers=account.bearer)
    assert ok.status_code == 200
    too_many = [*windows, {"weekday": 0, "start": "20:00", "end": "21:00"}]
    response = await client.put(
        URL, json=preferences(availability=too_many), headers=account.bearer
    )
    assert response.status_code == 422
