"""API models of generations (docs/api.md: Feedback and generations)."""

from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from ai.feedback.schemas import FeedbackRead
from schediora_runtime.timestamps import UtcTimestamp


class CallRead(BaseModel):
    outcome: str = Field(examples=["valid", "invalid_plan", "timeout", "server_error"])
    latency_ms: int
    detail: str | None
    usage: dict[str, int] | None


class ProvenanceRead(BaseModel):
    """How the plan was made. `path` is `llm` (an LLM answer that passed the validator),
    `local_fallback` (the LLM gave no usable answer; `fallback_reason` says why) or `local`."""

    provider: str
    model: str | None
    path: Literal["local", "llm", "local_fallback"]
    prompt_version: str | None
    attempts: int = Field(description="LLM calls made")
    usage: dict[str, int] = Field(description="tokens over all calls")
    latency_ms: int
    fallback_reason: str | None
    fallback_detail: str | None
    calls: list[CallRead]


class GenerationRead(BaseModel):
    id: UUID
    kind: Literal["generate", "reschedule"]
    provider: str
    model: str | None
    status: Literal["running", "completed", "failed"]
    quality: dict[str, Any] = Field(
        description="The plan's quality as its maker scored it: the local solver's named "
        "objective terms (`terms`) and what else it reports; an LLM plan's planned minutes."
    )
    provenance: ProvenanceRead | None
    created_at: UtcTimestamp
    feedback: FeedbackRead | None
