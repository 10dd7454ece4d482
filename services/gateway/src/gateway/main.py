"""Wiring only: builds the gateway app from its settings."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from gateway.client import create_upstream_session
from gateway.health import health_router
from gateway.openapi import openapi_router
from gateway.proxy import ProxyMiddleware
from gateway.routing import RouteTable
from gateway.settings import Settings
from schediora_runtime.logs import configure_logging
from schediora_runtime.metrics import metrics_router
from schediora_runtime.middleware import install_request_context
from schediora_runtime.problems import install_problem_handlers
from schediora_runtime.request_ids import REQUEST_ID_HEADER
from schediora_runtime.tracing import (
    FASTAPI_NATIVE_TELEMETRY_OFF,
    configure_tracing,
    shutdown_tracing,
)

logger = logging.getLogger(__name__)

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging(settings.service_name, settings.log_level, json=settings.log_json)
    configure_tracing(settings.service_name)
    routes = RouteTable()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        session = create_upstream_session(settings)
        streams = create_upstream_session(settings, streams=True)
        app.state.upstream_session = session
        app.state.stream_session = streams
        logger.info("%s started on port %s", settings.service_name, settings.port)
        try:
            yield
        finally:
            await session.close()
            await streams.close()
            shutdown_tracing()
            logger.info("%s stopped", settings.service_name)

    # FastAPI's own /openapi.json and /docs would describe only the gateway; the API's document
    # is the merged one under /api/v1.
    app = FastAPI(
        title="Schediora API",
        description="The mobile app's API: auth, planner and ai behind one gateway.",
        version="1.0.0",
        lifespan=lifespan,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        telemetry=FASTAPI_NATIVE_TELEMETRY_OFF,
    )
    app.state.settings = settings
    app.state.service_name = settings.service_name
    install_problem_handlers(app)
    app.include_router(health_router(API_PREFIX))
    app.include_router(health_router(include_in_schema=False))
    app.include_router(metrics_router())
    app.include_router(openapi_router(routes.match, API_PREFIX))
    # Innermost of the middleware: CORS and request ids below apply to proxied requests too.
    app.add_middleware(
        ProxyMiddleware,
        routes=routes,
        base_urls=settings.upstreams,
        max_body_bytes=settings.max_body_bytes,
    )
    if settings.cors_allow_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_allow_origins,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=[REQUEST_ID_HEADER, "Location", "Retry-After"],
            max_age=600,
        )
    # Outermost, so every answer carries the request id, CORS preflights included.
    install_request_context(app)
    return app
