"""API models of plans and sessions: strict request models and the response models."""

from datetime import date, datetime
from typing import Annotated, Literal, Self
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    field_validator,
    model_validator,
)

from schediora_contracts.limits import (
    SESSION_MAX_DURATION,
    SESSION_MAX_HOURS,
    SESSION_TITLE_MAX_LENGTH,
    SESSIONS_PER_PLAN_MAX,
)
from schediora_runtime.problems import StrictModel
from schediora_runtime.timestamps import UtcTimestamp

Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=SESSION_TITLE_MAX_LENGTH),
    Field(
        examples=["Linear algebra: eigenvalues"],
        description=f"Trimmed, 1..{SESSION_TITLE_MAX_LENGTH} characters.",
    ),
]
Notes = Annotated[str, StringConstraints(max_length=2000)]
SessionStatus = Literal["planned", "in_progress", "completed", "skipped"]
ActualMinutes = Annotated[int, Field(ge=0, le=24 * 60, description="Minutes actually studied.")]


def check_range(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise ValueError("ends_at must be after starts_at")
    if ends_at - starts_at > SESSION_MAX_DURATION:
        raise ValueError(f"a session lasts at most {SESSION_MAX_HOURS} hours")


class SessionInput(StrictModel):
    title: Title
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    subject_id: UUID | None = None
    notes: Notes | None = None

    @model_validator(mode="after")
    def _valid_range(self) -> Self:
        check_range(self.starts_at, self.ends_at)
        return self


class PlanCreate(StrictModel):
    week_start: date | None = Field(
        default=None, description="The week's first day; default: the current week."
    )
    title: Title | None = None
    sessions: list[SessionInput] = Field(default_factory=list, max_length=SESSIONS_PER_PLAN_MAX)


class SessionUpdate(StrictModel):
    """Only the fields sent change; `null` clears `notes`, `subject_id` and `actual_minutes`."""

    status: SessionStatus | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    title: Title | None = None
    notes: Notes | None = None
    subject_id: UUID | None = None
    actual_minutes: ActualMinutes | None = None
    pinned: StrictBool | None = Field(
        default=None, description="Pinned: a reschedule keeps the session exactly where it is."
    )

    @field_validator("status", "starts_at", "ends_at", "title", "pinned", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may not be null")
        return value


class SessionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    plan_id: UUID
    subject_id: UUID | None
    title: str
    starts_at: UtcTimestamp
    ends_at: UtcTimestamp
    duration_minutes: int
    status: SessionStatus
    source: Literal["manual", "ai"]
    notes: str | None
    actual_minutes: int | None
    completed_at: UtcTimestamp | None
    rationale: str | None
    pinned: bool = Field(description="A reschedule keeps a pinned session exactly.")
    created_at: UtcTimestamp
    updated_at: UtcTimestamp


class PlanRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    week_start: date
    week_end: date = Field(description="The week's last day, inclusive.")
    source: Literal["manual", "ai"]
    status: Literal["active", "superseded"]
    generation_id: UUID | None
    title: str | None
    session_count: int
    total_minutes: int
    created_at: UtcTimestamp


class PlanWithSessions(PlanRead):
    sessions: list[SessionRead]


class PlanPage(BaseModel):
    items: list[PlanRead]
    next_cursor: str | None = Field(
        description="Pass as `?cursor=` for the next page; null at the end."
    )


class SessionPage(BaseModel):
    items: list[SessionRead]
    next_cursor: str | None = Field(
        description="Pass as `?cursor=` for the next page; null at the end."
    )
