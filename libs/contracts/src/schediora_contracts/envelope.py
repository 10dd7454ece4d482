"""The one envelope every Schediora event travels in."""

from typing import Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class EventEnvelope(BaseModel):
    """Metadata shared by all events; `payload` is the event's own model, as JSON."""

    # Consumers ignore envelope fields added later (additive changes within a version).
    model_config = ConfigDict(extra="ignore", frozen=True)

    event_id: UUID
    type: str = Field(pattern=r"^[a-z]+\.[a-z_]+$", examples=["planner.plan_requested"])
    version: int = Field(ge=1)
    occurred_at: AwareDatetime
    producer: str = Field(min_length=1, max_length=64)
    correlation_id: UUID | None = None
    causation_id: UUID | None = None
    payload: dict[str, Any]

    @property
    def routing_key(self) -> str:
        return routing_key(self.type, self.version)


def routing_key(event_type: str, version: int) -> str:
    """Routing key on the topic exchange: `<type>.v<version>`, so consumers bind per version."""
    return f"{event_type}.v{version}"
