"""How a plan was made: the provider and model, each LLM call, and which path produced the
sessions (the LLM's answer or the local solver's fallback) and why."""

from dataclasses import dataclass, field
from typing import Any, Literal

from ai.scheduling.schedule import NoFeasiblePlan, Schedule

Path = Literal["local", "llm", "local_fallback"]
"""`local`: a provider's own plan, no LLM; `llm`: an LLM answer that passed the validator;
`local_fallback`: the LLM gave no usable answer, so the local solver's plan was used."""

Outcome = Literal[
    "valid",
    "invalid_plan",
    "malformed",
    "refusal",
    "timeout",
    "rate_limited",
    "server_error",
    "client_error",
    "connection_error",
]
"""What one LLM call came to."""

FallbackReason = Outcome | Literal["budget_exhausted", "deadline"]
"""Why the local solver's plan replaced the LLM's: the last call's outcome, or, with no call
made, `budget_exhausted` (the user's daily token budget was spent) or `deadline` (the job's
deadline left the LLM no time)."""

USAGE_FIELDS = ("prompt_tokens", "completion_tokens", "total_tokens")


@dataclass(frozen=True)
class Call:
    """One request to the LLM and what came of it."""

    outcome: Outcome
    latency_ms: int
    detail: str | None = None
    usage: dict[str, int] | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "latency_ms": self.latency_ms,
            "detail": self.detail,
            "usage": self.usage,
        }


@dataclass
class Provenance:
    provider: str
    model: str | None
    path: Path = "local"
    prompt_version: str | None = None
    calls: list[Call] = field(default_factory=list)
    latency_ms: int = 0
    """The whole generation: every LLM call and the fallback solve."""
    fallback_reason: FallbackReason | None = None
    fallback_detail: str | None = None

    @property
    def attempts(self) -> int:
        return len(self.calls)

    def usage(self) -> dict[str, int]:
        """Tokens summed over the calls whose answers reported them."""
        total = dict.fromkeys(USAGE_FIELDS, 0)
        for call in self.calls:
            for name, value in (call.usage or {}).items():
                total[name] = total.get(name, 0) + value
        return total

    def as_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "model": self.model,
            "path": self.path,
            "prompt_version": self.prompt_version,
            "attempts": self.attempts,
            "usage": self.usage(),
            "latency_ms": self.latency_ms,
            "fallback_reason": self.fallback_reason,
            "fallback_detail": self.fallback_detail,
            "calls": [call.as_json() for call in self.calls],
        }


@dataclass(frozen=True)
class Made:
    """A provider's result: a schedule or the reason there is none, and how it came about."""

    provenance: Provenance
    schedule: Schedule | None = None
    error: NoFeasiblePlan | None = None
