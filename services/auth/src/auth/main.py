"""Wiring only: builds the auth app from its settings, routers and subscriptions."""

from fastapi import FastAPI

from auth.db import outbox
from auth.messaging import SUBSCRIPTIONS
from auth.models import load_models
from auth.settings import Settings
from schediora_runtime.service import create_service_app


def create_app(settings: Settings | None = None) -> FastAPI:
    load_models()
    return create_service_app(
        settings or Settings(),
        title="Schediora auth",
        description="Identity: accounts, tokens, profile and onboarding preferences.",
        routers=[],
        outbox=outbox,
        subscriptions=SUBSCRIPTIONS,
    )
