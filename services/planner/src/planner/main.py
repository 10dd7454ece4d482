"""Wiring only: builds the planner app from its settings, routers and subscriptions."""

from fastapi import FastAPI

from planner.db import outbox, processed_events
from planner.messaging import SUBSCRIPTIONS
from planner.models import load_models
from planner.settings import Settings
from schediora_runtime.service import create_service_app


def create_app(settings: Settings | None = None) -> FastAPI:
    load_models()
    return create_service_app(
        settings or Settings(),
        title="Schediora planner",
        description="Planning: subjects, plans, sessions, AI jobs and the dashboard.",
        routers=[],
        outbox=outbox,
        processed_events=processed_events,
        subscriptions=SUBSCRIPTIONS,
    )
