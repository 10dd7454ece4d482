"""Generations by the path that made their plan, and fallbacks by reason (docs/operations.md).
Counted once the outcome's transaction commits, so a generation made twice (a redelivery after a
crash) counts once, as stored."""

from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncSession

from ai.providers.provenance import Provenance
from schediora_runtime.metrics import after_commit

PATHS = {"local": "local", "llm": "llm", "local_fallback": "llm_then_fallback"}
"""Provenance path → metric label: `local_fallback` is an LLM attempt that ended in the local
solver's plan."""

GENERATIONS = Counter(
    "schediora_ai_generations",
    "Generations finished, by provider path (local, llm, llm_then_fallback) and status "
    "(completed, failed).",
    ["path", "status"],
)
FALLBACKS = Counter(
    "schediora_ai_llm_fallbacks",
    "Generations whose plan came from the local solver instead of the LLM, by reason: the last "
    "call's outcome (timeout, rate_limited, server_error, invalid_plan, …), budget_exhausted "
    "or deadline.",
    ["reason"],
)


def generation_finished(session: AsyncSession, provenance: Provenance, status: str) -> None:
    path = PATHS.get(provenance.path, provenance.path)
    reason = provenance.fallback_reason

    def update() -> None:
        GENERATIONS.labels(path, status).inc()
        if reason is not None:
            FALLBACKS.labels(reason).inc()

    after_commit(session, update)
