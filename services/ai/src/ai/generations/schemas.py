"""API models of generations (API.md: Feedback and generations)."""

from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel

from ai.feedback.schemas import FeedbackRead
from schediora_runtime.timestamps import UtcTimestamp


class GenerationRead(BaseModel):
    id: UUID
    kind: Literal["generate", "reschedule"]
    provider: str
    model: str | None
    status: Literal["completed", "failed"]
    quality: dict[str, Any]
    created_at: UtcTimestamp
    feedback: FeedbackRead | None
