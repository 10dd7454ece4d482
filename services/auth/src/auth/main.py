"""Wiring only: builds the auth app from its settings, routers and subscriptions."""

from fastapi import FastAPI

from auth.context import Clock, build_context, utc_now
from auth.db import outbox
from auth.messaging import SUBSCRIPTIONS
from auth.models import load_models
from auth.sessions.endpoints import router as sessions_router
from auth.settings import Settings
from auth.users.endpoints import router as users_router
from schediora_runtime.security import StaticJwks, TokenVerifier
from schediora_runtime.service import create_service_app


def create_app(settings: Settings | None = None, *, clock: Clock = utc_now) -> FastAPI:
    load_models()
    settings = settings or Settings()
    # Loads (in development: creates) the signing key; production refuses to start without one.
    context = build_context(settings, clock)
    # Auth checks its own access tokens exactly as planner and ai do, with its own public keys.
    verifier = TokenVerifier(
        StaticJwks(context.keys.jwks()),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
    )
    app = create_service_app(
        settings,
        title="Schediora auth",
        description="Identity: accounts, tokens, profile and onboarding preferences.",
        routers=[sessions_router, users_router],
        outbox=outbox,
        subscriptions=SUBSCRIPTIONS,
        token_verifier=verifier,
    )
    app.state.auth = context
    return app
