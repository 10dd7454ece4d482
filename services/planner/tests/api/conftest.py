"""API fixtures: an httpx client on the running planner app, and users with signed tokens."""

from collections.abc import AsyncIterator

import httpx
import pytest

from schediora_runtime.deps import request_now
from schediora_testkit.tokens import TokenUser, user_with_token

from .plan_factories import NOW


@pytest.fixture
async def client(running_app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=running_app, raise_app_exceptions=False)
    # A fixed request id, so that two problem bodies can be compared byte for byte.
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test", headers={"X-Request-ID": "planner-api"}
    ) as client:
        yield client


@pytest.fixture
def alice(signing_key) -> TokenUser:
    return user_with_token(signing_key)


@pytest.fixture
def bob(signing_key) -> TokenUser:
    return user_with_token(signing_key)


@pytest.fixture
def clock(running_app):
    """Fix the app's clock at `plan_factories.NOW`; set `clock.now` to move it."""

    class Clock:
        now = NOW

    fixed = Clock()
    running_app.dependency_overrides[request_now] = lambda: fixed.now
    yield fixed
    running_app.dependency_overrides.pop(request_now, None)
