"""API models of feedback (docs/api.md: Feedback and generations)."""

from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from schediora_runtime.problems import StrictModel
from schediora_runtime.timestamps import UtcTimestamp

Rating = Annotated[int, Field(ge=1, le=5, description="1 (poor) to 5 (great).")]
Comments = Annotated[str, StringConstraints(max_length=2000)]


class FeedbackCreate(StrictModel):
    generation_id: UUID
    rating: Rating
    comments: Comments | None = None


class FeedbackRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    generation_id: UUID
    rating: int
    comments: str | None
    created_at: UtcTimestamp


class FeedbackPage(BaseModel):
    items: list[FeedbackRead]
    next_cursor: str | None = Field(
        description="Pass as `?cursor=` for the next page; null at the end."
    )
