"""Wiring only: builds the planner app from its settings, routers and subscriptions."""

from fastapi import FastAPI

from planner.calendar.endpoints import router as calendar_router
from planner.dashboard.endpoints import router as dashboard_router
from planner.db import outbox, processed_events, revocations
from planner.generation.endpoints import router as generation_router
from planner.generation.service.live import JobWatch
from planner.generation.workers import fail_overdue_jobs
from planner.messaging import SUBSCRIPTIONS
from planner.models import load_models
from planner.plans.endpoints import plans_router, sessions_router
from planner.settings import Settings
from planner.subjects.endpoints import router as subjects_router
from schediora_runtime.security import TokenVerifier
from schediora_runtime.service import create_service_app


def create_app(
    settings: Settings | None = None, *, token_verifier: TokenVerifier | None = None
) -> FastAPI:
    """`token_verifier` replaces verification against auth's JWKS (tests pass their own)."""
    load_models()
    watch = JobWatch()
    app = create_service_app(
        settings or Settings(),
        title="Schediora planner",
        description="Planning: subjects, plans, sessions, AI jobs and the dashboard.",
        routers=[
            subjects_router,
            plans_router,
            sessions_router,
            dashboard_router,
            generation_router,
            calendar_router,
        ],
        outbox=outbox,
        processed_events=processed_events,
        subscriptions=SUBSCRIPTIONS,
        token_verifier=token_verifier,
        workers=[fail_overdue_jobs, watch.listen],
        revocations=revocations,
    )
    app.state.job_watch = watch
    return app
