"""Small request factories and fixtures' helpers for the plans and sessions API tests."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import update

from planner.plans.models import StudyPlan, StudySession
from planner.users import service as users
from schediora_contracts.common import Preferences
from schediora_runtime.database import transaction

PLANS = "/api/v1/plans"
CURRENT = "/api/v1/plans/current"
CURRENT_SESSIONS = "/api/v1/plans/current/sessions"
SESSIONS = "/api/v1/sessions"

# Wednesday of the week that starts on Monday 2026-11-23 (UTC, Monday weeks).
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def at(day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An instant in November 2026 UTC; days past 30 run on into December."""
    return datetime(2026, 11, 1, tzinfo=UTC) + timedelta(days=day - 1, hours=hour, minutes=minute)


def iso(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def slot(day: int, hour: int, minutes: int = 60, **fields: Any) -> dict[str, Any]:
    """A session input starting on November `day` at `hour`:00 UTC, lasting `minutes`."""
    starts_at = at(day, hour)
    return {
        "title": "Study",
        "starts_at": iso(starts_at),
        "ends_at": iso(starts_at + timedelta(minutes=minutes)),
        **fields,
    }


async def create_plan(client: httpx.AsyncClient, user: Any, **body: Any) -> dict:
    response = await client.post(PLANS, json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def add_session(client: httpx.AsyncClient, user: Any, body: dict) -> dict:
    response = await client.post(CURRENT_SESSIONS, json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def patch_session(client: httpx.AsyncClient, user: Any, session_id: str, **body: Any):
    return await client.patch(f"{SESSIONS}/{session_id}", json=body, headers=user.headers)


async def list_all(client: httpx.AsyncClient, user: Any, url: str, **params: Any) -> list[dict]:
    """Every item of a list endpoint, following cursors to the end."""
    items, cursor = [], None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = await client.get(url, params=query, headers=user.headers)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


EVENINGS = tuple({"weekday": day, "start": "18:00", "end": "21:00"} for day in range(7))


async def set_preferences(
    app, user: Any, timezone: str, week_starts_on: str, availability: tuple = ()
) -> None:
    """Store the user's preferences as auth's event would."""
    preferences = Preferences.model_validate(
        {
            "timezone": timezone,
            "week_starts_on": week_starts_on,
            "daily_goal_minutes": 120,
            "session_minutes": 50,
            "break_minutes": 10,
            "availability": availability,
            "preferred_time_of_day": "any",
        }
    )
    async for session in transaction(app.state.runtime.sessionmaker):
        await users.replace_preferences(session, user.id, preferences, datetime.now(UTC))


async def supersede(app, plan_id: str) -> None:
    """Mark a plan superseded the way a reschedule will: its sessions become history."""
    async for session in transaction(app.state.runtime.sessionmaker):
        await session.execute(
            update(StudyPlan).where(StudyPlan.id == plan_id).values(status="superseded")
        )
        await session.execute(
            update(StudySession).where(StudySession.plan_id == plan_id).values(active=False)
        )
