"""API models of subjects: separate request models (strict) and the response model."""

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from schediora_runtime.problems import StrictModel
from schediora_runtime.timestamps import UtcTimestamp

Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=120),
    Field(
        examples=["Linear algebra"],
        description="Trimmed, 1..120 characters; unique per user regardless of case.",
    ),
]
Difficulty = Annotated[int, Field(ge=1, le=5, description="1 (easy) .. 5 (hard).")]
TargetMinutes = Annotated[
    int, Field(ge=0, le=7 * 24 * 60, description="Study time aimed for per week, in minutes.")
]
Color = Annotated[
    str,
    StringConstraints(pattern=r"^#[0-9A-Fa-f]{6}$"),
    AfterValidator(str.upper),
    Field(examples=["#4F46E5"], description='"#RRGGBB"; answered in upper case.'),
]


class SubjectCreate(StrictModel):
    name: Name
    exam_date: date | None = None
    difficulty: Difficulty = 3
    target_minutes_per_week: TargetMinutes | None = None
    color: Color | None = None


class SubjectUpdate(StrictModel):
    """Only the fields sent change; `null` clears the optional ones."""

    name: Name | None = None
    exam_date: date | None = None
    difficulty: Difficulty | None = None
    target_minutes_per_week: TargetMinutes | None = None
    color: Color | None = None

    @field_validator("name", "difficulty", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may not be null")
        return value


class SubjectRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    name: str
    exam_date: date | None
    difficulty: Difficulty
    target_minutes_per_week: TargetMinutes | None
    color: str | None
    created_at: UtcTimestamp


class SubjectPage(BaseModel):
    items: list[SubjectRead]
    next_cursor: str | None = Field(
        description="Pass as `?cursor=` for the next page; null at the end."
    )
