"""API models of feedback (docs/api.md: Feedback and generations)."""

from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from schediora_contracts.adjustments import EXAMPLES as ADJUSTMENT_EXAMPLES
from schediora_contracts.adjustments import AdjustmentsInput
from schediora_contracts.common import FeedbackAdjustments
from schediora_runtime.problems import StrictModel
from schediora_runtime.timestamps import UtcTimestamp

Rating = Annotated[int, Field(ge=1, le=5, description="1 (poor) to 5 (great).")]
Comments = Annotated[str, StringConstraints(max_length=2000)]


class FeedbackCreate(StrictModel):
    generation_id: UUID
    rating: Rating
    comments: Comments | None = None
    adjustments: AdjustmentsInput | None = Field(
        default=None,
        description="What to change, as the app's chips say it: `more`/`less` (ids of subjects "
        "the generation was made for), `avoid_periods`, `prefer_period`, `free_days` "
        "(0 = Monday), `session_length`, `daily_load`, `not_before`/`not_after` (HH:MM, local).",
    )


class FeedbackRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    generation_id: UUID
    rating: int
    comments: str | None
    adjustments: FeedbackAdjustments | None
    created_at: UtcTimestamp


class FeedbackPage(BaseModel):
    items: list[FeedbackRead]
    next_cursor: str | None = Field(
        description="Pass as `?cursor=` for the next page; null at the end."
    )


FEEDBACK_EXAMPLES = {
    "rating_only": {
        "summary": "A rating",
        "value": {"generation_id": "0b6f2c1e-7d4a-4f3b-9c2e-5a1d8e7f6b3c", "rating": 4},
    },
    "chips_and_comment": {
        "summary": "A rating, a comment and chips",
        "value": {
            "generation_id": "0b6f2c1e-7d4a-4f3b-9c2e-5a1d8e7f6b3c",
            "rating": 2,
            "comments": "I can't study in the mornings, I have work.",
            "adjustments": ADJUSTMENT_EXAMPLES["evenings_and_free_weekend"]["value"],
        },
    },
}
"""OpenAPI examples of `POST /feedback`'s body."""
