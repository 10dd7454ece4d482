"""Small helpers that make accounts and tokens through the API."""

import uuid
from dataclasses import dataclass

import httpx

PASSWORD = "correct horse battery staple"


def new_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


def preferences(**overrides) -> dict:
    return {
        "timezone": "Europe/Berlin",
        "week_starts_on": "monday",
        "daily_goal_minutes": 120,
        "session_minutes": 50,
        "break_minutes": 10,
        "availability": [
            {"weekday": 0, "start": "18:00", "end": "21:00"},
            {"weekday": 2, "start": "09:00", "end": "12:00"},
        ],
        "preferred_time_of_day": "evening",
    } | overrides


@dataclass
class Account:
    id: uuid.UUID
    email: str
    password: str
    access_token: str
    refresh_token: str

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


async def register(
    client: httpx.AsyncClient, email: str | None = None, password: str = PASSWORD, **body
) -> Account:
    email = email or new_email()
    response = await client.post(
        "/api/v1/auth/register", json={"email": email, "password": password, **body}
    )
    assert response.status_code == 201, response.text
    data = response.json()
    return Account(
        id=uuid.UUID(data["user"]["id"]),
        email=email,
        password=password,
        access_token=data["tokens"]["access_token"],
        refresh_token=data["tokens"]["refresh_token"],
    )


async def login(client: httpx.AsyncClient, email: str, password: str, **kwargs) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/login", json={"email": email, "password": password}, **kwargs
    )
