"""API fixtures: an httpx client on the running ai app, and users with signed tokens."""

from collections.abc import AsyncIterator

import httpx
import pytest

from schediora_testkit.tokens import TokenUser, user_with_token


@pytest.fixture
async def client(running_app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=running_app, raise_app_exceptions=False)
    # A fixed request id, so that two problem bodies can be compared whole.
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test", headers={"X-Request-ID": "ai-api"}
    ) as client:
        yield client


@pytest.fixture
def alice(signing_key) -> TokenUser:
    return user_with_token(signing_key)


@pytest.fixture
def bob(signing_key) -> TokenUser:
    return user_with_token(signing_key)
