"""Wiring only: builds the auth app from its settings, routers and subscriptions."""

from fastapi import FastAPI

from auth.accounts.endpoints import auth_router as accounts_auth_router
from auth.accounts.endpoints import users_router as accounts_users_router
from auth.context import build_context
from auth.db import outbox, revocations
from auth.mail.smtp import Mailer
from auth.mail.workers import mail_delivery
from auth.messaging import SUBSCRIPTIONS
from auth.models import load_models
from auth.sessions.endpoints import router as sessions_router
from auth.settings import Settings
from auth.signing.workers import load_signing_keys, signing_key_refresh
from auth.users.endpoints import router as users_router
from schediora_runtime.clock import Clock, utc_now
from schediora_runtime.security import TokenVerifier
from schediora_runtime.service import create_service_app


def create_app(
    settings: Settings | None = None, *, clock: Clock = utc_now, mail_worker: bool = True
) -> FastAPI:
    """`mail_worker=False` leaves queued mails unsent (a test then drains the queue itself)."""
    load_models()
    settings = settings or Settings()
    # Loads (in development: creates) the signing key; production refuses to start without one.
    context = build_context(settings, clock)
    # Auth checks its own access tokens exactly as planner and ai do, with its own public keys.
    # The ring follows `python -m auth.signing` rotations (auth/signing/workers.py).
    verifier = TokenVerifier(
        context.keys,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
    )
    app = create_service_app(
        settings,
        title="Schediora auth",
        description="Identity: accounts, tokens, profile, preferences, account mails.",
        routers=[sessions_router, users_router, accounts_auth_router, accounts_users_router],
        outbox=outbox,
        subscriptions=SUBSCRIPTIONS,
        token_verifier=verifier,
        revocations=revocations,
        startup=[load_signing_keys(context)],
        workers=[
            signing_key_refresh(context),
            *([mail_delivery(context, Mailer(settings))] if mail_worker else []),
        ],
    )
    app.state.auth = context
    return app
