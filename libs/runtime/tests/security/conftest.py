"""Security fixtures: a small app guarded by `CurrentUser`, signing keys and a JWKS server."""

import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI

from schediora_runtime.middleware import install_request_context
from schediora_runtime.problems import install_problem_handlers
from schediora_runtime.security import CurrentUser, TokenVerifier
from schediora_testkit.tokens import SigningKey, static_verifier

from .jwks_server import JwksServer


def protected_app(verifier: TokenVerifier) -> FastAPI:
    """The runtime's problem handling and request ids around one route that needs a user."""
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/api/v1/me")
    async def me(user_id: CurrentUser) -> dict[str, str]:
        return {"user_id": str(user_id)}

    install_request_context(app)
    app.state.token_verifier = verifier
    return app


def client_for(app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    # One fixed request id, so that two problem bodies can be compared byte for byte.
    return httpx.AsyncClient(
        transport=transport, base_url="http://test", headers={"X-Request-ID": "security-test"}
    )


@pytest.fixture
def user_id() -> uuid.UUID:
    return uuid.uuid4()


@pytest.fixture
def key() -> SigningKey:
    return SigningKey()


@pytest.fixture
async def client(key) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(protected_app(static_verifier(key))) as client:
        yield client


@pytest.fixture
def jwks_server() -> Iterator[JwksServer]:
    server = JwksServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
