"""Real upstream HTTP servers on free ports, and the gateway in front of them.

Each fake upstream answers any path with what it received (method, raw path and query,
headers, body size), so a test sees exactly what crossed the gateway. Its `/openapi.json` is
the document of a small FastAPI app shaped like the real service's.
"""

import asyncio
import gzip
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
from aiohttp import web
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from multidict import CIMultiDict
from pydantic import BaseModel

from gateway.main import create_app
from gateway.settings import Settings

SERVICES = ("auth", "planner", "ai")
GZIPPED = gzip.compress(b'{"compressed": true}')


class User(BaseModel):
    id: str
    email: str


def _planner_plan_model() -> type[BaseModel]:
    class User(BaseModel):
        """Planner's own `User`: the same name as auth's, another shape."""

        id: str
        timezone: str

    class Plan(BaseModel):
        id: str
        owner: User

    return Plan


class Feedback(BaseModel):
    rating: int


def _openapi_document(service: str) -> dict[str, Any]:
    app = FastAPI(title=f"Schediora {service}")

    @app.get("/health/ready")
    async def ready() -> dict[str, str]:
        return {}

    if service == "auth":

        @app.get("/api/v1/users/me")
        async def me() -> User: ...  # described for the OpenAPI document only; never called

        @app.get("/api/v1/auth/jwks.json")
        async def jwks() -> dict[
            str, list[str]
        ]: ...  # described for the OpenAPI document only; never called

        # Served by auth's app, but the routing table sends it to planner: not auth's to publish.
        @app.get("/api/v1/plans/stray")
        async def stray() -> dict[
            str, str
        ]: ...  # described for the OpenAPI document only; never called

    elif service == "planner":
        plan_model = _planner_plan_model()

        @app.get("/api/v1/plans/{plan_id}", response_model=plan_model)
        async def plan(
            plan_id: str,
        ) -> Any: ...  # described for the OpenAPI document only; never called

        @app.post("/api/v1/ai/plans/generate", status_code=202)
        async def generate(
            body: Feedback,
        ) -> dict[str, str]: ...  # described for the OpenAPI document only; never called

    else:

        @app.post("/api/v1/feedback", status_code=201)
        async def feedback(
            body: Feedback,
        ) -> Feedback: ...  # described for the OpenAPI document only; never called

    return app.openapi()


class FakeUpstream:
    """An aiohttp server that echoes what it received."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.openapi = _openapi_document(name)
        self.ready_status = 200
        self.seen: list[dict[str, Any]] = []
        self._runner: web.AppRunner | None = None
        self.url = ""
        # `/events`: one event, then each `next_event.set()` lets one more out; the third ends
        # the stream. `stream_closed` is set when the handler stops, however it stops.
        self.next_event = asyncio.Event()
        self.stream_closed = asyncio.Event()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        # Handlers stop when their client goes, and a stop does not wait for a slow handler.
        self._runner = web.AppRunner(app, shutdown_timeout=0.1, handler_cancellation=True)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.path == "/health/ready":
            ready = self.ready_status == 200
            return web.json_response(
                {
                    "status": "ok" if ready else "unavailable",
                    "service": self.name,
                    "checks": {"database": "ok" if ready else "down", "broker": "ok"},
                },
                status=self.ready_status,
            )
        if request.path == "/openapi.json":
            return web.json_response(self.openapi)
        body = await request.read()
        received = {
            "service": self.name,
            "method": request.method,
            "path_qs": request.raw_path,
            "headers": [[name.lower(), value] for name, value in request.headers.items()],
            "body_length": len(body),
        }
        self.seen.append(received)
        if request.path.endswith("/slow"):
            await asyncio.sleep(5)
        # Real services echo the request id too; the client must still get it once.
        headers = CIMultiDict({"X-Request-ID": request.headers.get("X-Request-ID", "")})
        if request.path.endswith("/cookies"):
            headers.add("Set-Cookie", "a=1; Path=/")
            headers.add("Set-Cookie", "b=2; Path=/")
        if request.path.endswith("/redirect"):
            headers["Location"] = "/api/v1/plans/current"
            return web.json_response(received, status=302, headers=headers)
        if request.path.endswith("/gzip"):
            headers["Content-Encoding"] = "gzip"
            return web.Response(body=GZIPPED, content_type="application/json", headers=headers)
        if request.path.endswith("/events"):
            return await self._events(request, headers)
        if request.path.endswith("/stream"):
            response = web.StreamResponse(headers=headers)
            response.content_type = "text/plain"
            await response.prepare(request)
            for part in (b"one,", b"two,", b"three"):
                await response.write(part)
            await response.write_eof()
            return response
        status = 201 if request.method == "POST" else 200
        return web.json_response(received, status=status, headers=headers)

    async def _events(self, request: web.Request, headers: CIMultiDict) -> web.StreamResponse:
        headers.update({"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        response = web.StreamResponse(headers=headers)
        response.content_type = "text/event-stream"
        try:
            await response.prepare(request)
            for number in (1, 2, 3):
                await response.write(f"event: job\ndata: {number}\n\n".encode())
                if number < 3:
                    await self.next_event.wait()
                    self.next_event.clear()
            await response.write_eof()
            return response
        finally:
            self.stream_closed.set()


def received_headers(answer: dict[str, Any]) -> dict[str, str]:
    return dict(answer["headers"])


@pytest.fixture
def header_dict() -> Callable[[dict[str, Any]], dict[str, str]]:
    """The headers an upstream reports it received, by lowercased name."""
    return received_headers


@pytest.fixture
async def upstreams() -> AsyncIterator[dict[str, FakeUpstream]]:
    servers = {name: FakeUpstream(name) for name in SERVICES}
    for server in servers.values():
        await server.start()
    yield servers
    for server in servers.values():
        await server.stop()


@pytest.fixture
def settings_for(upstreams, monkeypatch) -> Callable[..., Settings]:
    # Tracing stays on in these tests: the traceparent an upstream sees is part of the contract.
    monkeypatch.delenv("OTEL_SDK_DISABLED", raising=False)

    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            # A host name, not an IP: a cookie jar would keep cookies for it (aiohttp's skips IPs).
            "auth_url": upstreams["auth"].url.replace("127.0.0.1", "localhost"),
            "planner_url": upstreams["planner"].url,
            "ai_url": upstreams["ai"].url,
            "cors_allow_origins": ["https://app.schediora.test"],
            "upstream_timeout_seconds": 1.0,
            "log_json": False,
        } | overrides
        return Settings(**values)

    return build


@asynccontextmanager
async def _serve_through_asgi(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app, client=("203.0.113.7", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            yield client


@pytest.fixture
def gateway_for() -> Callable[[Settings], AbstractAsyncContextManager[httpx.AsyncClient]]:
    """A client of a gateway app built from the given settings, its lifespan running."""
    return _serve_through_asgi


@pytest.fixture
async def gateway(settings_for) -> AsyncIterator[httpx.AsyncClient]:
    async with _serve_through_asgi(settings_for()) as client:
        yield client
