"""`LeanRoute` answers exactly as FastAPI's own route does, without FastAPI's dependency solver
when the route's dependencies allow it: the same endpoints are served by two apps, one with
`LeanRoute` and one with `APIRoute`, and every request must get the same answer from both."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Literal
from uuid import UUID

import fastapi.routing
import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.routing import APIRoute
from pydantic import BaseModel

from schediora_runtime.deps import Now, request_now
from schediora_runtime.lean_routes import LeanRoute
from schediora_runtime.problems import Conflict
from schediora_runtime.security import CurrentUser
from schediora_runtime.service import create_service_app
from schediora_runtime.settings import ServiceSettings
from schediora_testkit import testing
from schediora_testkit.tokens import SigningKey, static_verifier, user_with_token

KEY = SigningKey()
FIXED = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)


class Refused(Conflict):
    code = "refused"


class Item(BaseModel):
    id: UUID
    owner: UUID
    limit: int
    flag: str | None
    at: datetime
    calls: int


async def counted(request: Request) -> int:
    """A request-level dependency used twice per request: it must run once."""
    request.state.calls = getattr(request.state, "calls", 0) + 1
    if request.headers.get("x-refuse"):
        raise Refused("Refused by a dependency.")
    return request.state.calls


Counted = Annotated[int, Depends(counted)]


async def uses_counted(calls: Counted) -> int:
    return calls


async def with_yield() -> AsyncIterator[str]:
    yield "from a generator"


def make_router(route_class: type[APIRoute]) -> APIRouter:
    router = APIRouter(prefix="/api/v1", route_class=route_class)

    @router.get("/items/{item_id}")
    async def read_item(
        item_id: UUID,
        user_id: CurrentUser,
        now: Now,
        calls: Counted,
        again: Annotated[int, Depends(uses_counted)],
        limit: Annotated[int, Query(ge=1, le=50)] = 10,
        flag: Literal["a", "b"] | None = None,
    ) -> Item:
        assert again == calls
        return Item(id=item_id, owner=user_id, limit=limit, flag=flag, at=now, calls=calls)

    @router.get("/generated")
    async def generated(user_id: CurrentUser, value: Annotated[str, Depends(with_yield)]) -> dict:
        return {"value": value}

    return router


ROUTERS = {"lean": make_router(LeanRoute), "fastapi": make_router(APIRoute)}
APPS: dict[str, FastAPI] = {}


@pytest.fixture
async def clients(test_database) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    settings = ServiceSettings(
        service_name="probe",
        port=9999,
        database_url=testing.database_url("planner"),
        database_schema="planner",
        rabbitmq_url="amqp://guest:guest@127.0.0.1:1/",
        log_json=False,
    )
    clients: dict[str, httpx.AsyncClient] = {}
    managers: list[LifespanManager] = []
    for name, router in ROUTERS.items():
        app = create_service_app(
            settings,
            title="probe",
            description="probe",
            routers=[router],
            token_verifier=static_verifier(KEY),
        )
        manager = LifespanManager(app)
        await manager.__aenter__()
        managers.append(manager)
        transport = httpx.ASGITransport(app=manager.app, raise_app_exceptions=False)
        clients[name] = httpx.AsyncClient(transport=transport, base_url="http://test")
        APPS[name] = app
    yield clients
    for client in clients.values():
        await client.aclose()
    for manager in managers:
        await manager.__aexit__(None, None, None)


USER = user_with_token(KEY)
ITEM = "7f2b8a1e-5c1d-4f7e-9a51-0d7c3c1b2a10"
REQUESTS = {
    "valid": (f"/api/v1/items/{ITEM}?limit=20&flag=a", USER.headers),
    "defaults": (f"/api/v1/items/{ITEM}", USER.headers),
    "no token": (f"/api/v1/items/{ITEM}", {}),
    "not a bearer token": (f"/api/v1/items/{ITEM}", {"Authorization": "Basic eDp5"}),
    "forged token": (f"/api/v1/items/{ITEM}", {"Authorization": "Bearer a.b.c"}),
    "bad path id": ("/api/v1/items/not-a-uuid?limit=0", USER.headers),
    "query out of range": (f"/api/v1/items/{ITEM}?limit=0", USER.headers),
    "query not a number": (f"/api/v1/items/{ITEM}?limit=ten&flag=c", USER.headers),
    "unstorable query": (f"/api/v1/items/{ITEM}?flag=%00", USER.headers),
    "dependency refuses": (f"/api/v1/items/{ITEM}", USER.headers | {"X-Refuse": "1"}),
    "falls back (yield dependency)": ("/api/v1/generated", USER.headers),
}


def _answer(response: httpx.Response) -> tuple:
    body = response.json()
    if isinstance(body, dict):
        body.pop("at", None)  # the clock, compared separately
    return (
        response.status_code,
        response.headers["content-type"],
        response.headers.get("www-authenticate"),
        body,
    )


@pytest.mark.parametrize("case", REQUESTS)
async def test_a_lean_route_answers_as_fastapis_own_route(clients, case):
    path, headers = REQUESTS[case]
    headers = headers | {"X-Request-ID": "lean-probe"}  # the one part of a problem that varies
    lean = await clients["lean"].get(path, headers=headers)
    general = await clients["fastapi"].get(path, headers=headers)
    assert _answer(lean) == _answer(general)
    assert lean.status_code != 500


async def test_each_dependency_runs_once_a_request(clients):
    response = await clients["lean"].get(f"/api/v1/items/{ITEM}", headers=USER.headers)
    assert response.status_code == 200
    assert response.json()["calls"] == 1
    assert response.json()["owner"] == str(USER.id)


async def test_the_simple_routes_skip_fastapis_solver_and_the_others_keep_it(clients, monkeypatch):
    solved: list[str] = []
    solve = fastapi.routing.solve_dependencies

    async def counting(*args, **kwargs):
        solved.append(kwargs["request"].url.path)
        return await solve(*args, **kwargs)

    monkeypatch.setattr(fastapi.routing, "solve_dependencies", counting)
    for path in (f"/api/v1/items/{ITEM}", "/api/v1/generated"):
        assert (await clients["lean"].get(path, headers=USER.headers)).status_code == 200
    assert solved == ["/api/v1/generated"]


async def test_an_overridden_clock_is_honoured(clients):
    for app in APPS.values():
        app.dependency_overrides[request_now] = lambda: FIXED
    try:
        for client in clients.values():
            response = await client.get(f"/api/v1/items/{ITEM}", headers=USER.headers)
            assert response.json()["at"] == "2026-11-23T18:00:00Z"
    finally:
        for app in APPS.values():
            app.dependency_overrides.clear()


async def test_an_override_that_takes_parameters_goes_through_fastapi(clients):
    app = APPS["lean"]

    async def clock_of(request: Request) -> datetime:
        return FIXED

    app.dependency_overrides[request_now] = clock_of
    try:
        response = await clients["lean"].get(f"/api/v1/items/{ITEM}", headers=USER.headers)
        assert response.status_code == 200
        assert response.json()["at"] == "2026-11-23T18:00:00Z"
    finally:
        app.dependency_overrides.clear()
