"""Wiring only: builds the ai app from its settings, routers and subscriptions."""

from fastapi import FastAPI

from ai.db import outbox, processed_events
from ai.messaging import SUBSCRIPTIONS
from ai.models import load_models
from ai.settings import Settings
from schediora_runtime.service import create_service_app


def create_app(settings: Settings | None = None) -> FastAPI:
    load_models()
    return create_service_app(
        settings or Settings(),
        title="Schediora ai",
        description="Generation: turns plan requests into study sessions; keeps feedback.",
        routers=[],
        outbox=outbox,
        processed_events=processed_events,
        subscriptions=SUBSCRIPTIONS,
    )
