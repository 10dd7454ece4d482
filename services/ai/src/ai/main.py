"""Wiring only: builds the ai app from its settings, provider, routers and subscriptions."""

from fastapi import FastAPI

from ai.db import outbox, processed_events, revocations
from ai.feedback.endpoints import router as feedback_router
from ai.generations.endpoints import router as generations_router
from ai.messaging import subscriptions
from ai.models import load_models
from ai.providers.local import start_solver_pool
from ai.providers.registry import provider_from
from ai.settings import Settings
from schediora_runtime.security import TokenVerifier
from schediora_runtime.service import create_service_app


def create_app(
    settings: Settings | None = None, *, token_verifier: TokenVerifier | None = None
) -> FastAPI:
    """`token_verifier` replaces verification against auth's JWKS (tests pass their own)."""
    load_models()
    settings = settings or Settings()
    return create_service_app(
        settings,
        title="Schediora ai",
        description="Generation: turns plan requests into study sessions; keeps feedback.",
        routers=[generations_router, feedback_router],
        outbox=outbox,
        processed_events=processed_events,
        subscriptions=subscriptions(
            provider_from(settings),
            settings.ai_max_concurrent_generations,
            settings.ai_daily_token_budget,
        ),
        token_verifier=token_verifier,
        revocations=revocations,
        # Every provider may solve locally (the LLM's fallback too): the solver pool starts now.
        workers=[start_solver_pool],
    )
