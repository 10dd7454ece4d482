"""`/health/live` and `/health/ready` for every service."""

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

Check = Callable[[], Awaitable[bool]]
CHECK_TIMEOUT_SECONDS = 2.0


class Liveness(BaseModel):
    status: Literal["ok"] = "ok"
    service: str


class Readiness(BaseModel):
    status: Literal["ok", "unavailable"]
    service: str
    checks: dict[str, Literal["ok", "down"]]


async def _run(check: Check) -> bool:
    try:
        return await asyncio.wait_for(check(), CHECK_TIMEOUT_SECONDS)
    except Exception:
        return False


async def readiness(service: str, checks: Mapping[str, Check]) -> Readiness:
    results = await asyncio.gather(*(_run(c) for c in checks.values()))
    states = {name: "ok" if ok else "down" for name, ok in zip(checks, results, strict=True)}
    status = "ok" if all(results) else "unavailable"
    return Readiness(status=status, service=service, checks=states)  # type: ignore[arg-type]


def health_router() -> APIRouter:
    """Reads `request.app.state.health` (service name and checks) set up by the runtime."""
    router = APIRouter(prefix="/health", tags=["health"])

    @router.get("/live", response_model=Liveness)
    async def live(request: Request) -> Liveness:
        """The process is up and serving."""
        return Liveness(service=request.app.state.service_name)

    @router.get(
        "/ready",
        response_model=Readiness,
        responses={503: {"model": Readiness, "description": "A dependency is down."}},
    )
    async def ready(request: Request) -> JSONResponse:
        """Ready when every dependency (database, broker) answers; 503 names what is down."""
        result = await readiness(request.app.state.service_name, request.app.state.health_checks)
        return JSONResponse(result.model_dump(), status_code=200 if result.status == "ok" else 503)

    return router
