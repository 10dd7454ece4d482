"""The gateway's liveness, and its readiness: the readiness of every upstream service."""

import asyncio
from collections.abc import Mapping
from typing import Any, Literal

from aiohttp import ClientConnectorError, ClientError, ClientSession, ClientTimeout
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from schediora_runtime.health import CHECK_TIMEOUT_SECONDS, Liveness


class UpstreamReadiness(BaseModel):
    """`ok`: the service is ready; `unavailable`: it answers but a dependency of it is down;
    `down`: it does not answer as it should."""

    status: Literal["ok", "unavailable", "down"]
    checks: dict[str, str] | None = None
    error: str | None = None


class GatewayReadiness(BaseModel):
    status: Literal["ok", "unavailable"]
    service: str
    services: dict[str, UpstreamReadiness]


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, ClientConnectorError) and isinstance(exc.os_error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ClientConnectorError):
        return "cannot connect"
    return "no valid answer"


async def upstream_readiness(
    session: ClientSession, base_url: str, time_limit: float
) -> UpstreamReadiness:
    """The upstream's own `/health/ready`, reduced to its state and checks."""
    try:
        async with session.get(
            f"{base_url}/health/ready", timeout=ClientTimeout(total=time_limit)
        ) as response:
            body: Any = await response.json(content_type=None)
    except (ClientError, TimeoutError, ValueError) as exc:
        return UpstreamReadiness(status="down", error=_describe(exc))
    checks = body.get("checks") if isinstance(body, dict) else None
    if not isinstance(checks, dict):
        checks = None
    if response.status == 200:
        return UpstreamReadiness(status="ok", checks=checks)
    if response.status == 503:
        return UpstreamReadiness(status="unavailable", checks=checks)
    return UpstreamReadiness(status="down", checks=checks, error=f"answered {response.status}")


async def readiness(
    service: str, session: ClientSession, base_urls: Mapping[str, str], time_limit: float
) -> GatewayReadiness:
    """Every upstream asked at once, so the answer takes as long as the slowest one."""
    states = await asyncio.gather(
        *(upstream_readiness(session, url, time_limit) for url in base_urls.values())
    )
    status = "ok" if all(state.status == "ok" for state in states) else "unavailable"
    return GatewayReadiness(
        status=status, service=service, services=dict(zip(base_urls, states, strict=True))
    )


def health_router(prefix: str = "", *, include_in_schema: bool = True) -> APIRouter:
    """`{prefix}/health/live` and `{prefix}/health/ready`; reads settings and the upstream session
    from `request.app.state`."""
    router = APIRouter(
        prefix=f"{prefix}/health", tags=["health"], include_in_schema=include_in_schema
    )

    @router.get("/live", response_model=Liveness)
    async def live(request: Request) -> Liveness:
        """The gateway process is up and serving."""
        return Liveness(service=request.app.state.settings.service_name)

    @router.get(
        "/ready",
        response_model=GatewayReadiness,
        responses={503: {"model": GatewayReadiness, "description": "An upstream is not ready."}},
    )
    async def ready(request: Request) -> JSONResponse:
        """Ready when every upstream service is ready; the body gives each one's state."""
        settings = request.app.state.settings
        result = await readiness(
            settings.service_name,
            request.app.state.upstream_session,
            settings.upstreams,
            min(CHECK_TIMEOUT_SECONDS, settings.upstream_timeout_seconds),
        )
        return JSONResponse(
            result.model_dump(exclude_none=True), status_code=200 if result.status == "ok" else 503
        )

    return router
