"""API fixtures: an httpx client on the running ai app, and users with signed tokens."""

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from schediora_runtime.security.testing import SigningKey


@dataclass(frozen=True)
class User:
    id: uuid.UUID
    headers: dict[str, str]


@pytest.fixture
async def client(running_app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=running_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


def user_with_token(key: SigningKey) -> User:
    user_id = uuid.uuid4()
    return User(user_id, {"Authorization": f"Bearer {key.access_token(user_id)}"})


@pytest.fixture
def alice(signing_key) -> User:
    return user_with_token(signing_key)


@pytest.fixture
def bob(signing_key) -> User:
    return user_with_token(signing_key)
