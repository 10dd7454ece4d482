"""Value types that several events share."""

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Weekday = Literal[0, 1, 2, 3, 4, 5, 6]
"""0 = Monday .. 6 = Sunday."""


class ContractModel(BaseModel):
    """Base for payload parts: immutable, and tolerant of fields added later."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class AvailabilityWindow(ContractModel):
    weekday: Weekday
    start: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["18:00"])
    end: str = Field(pattern=r"^([01]\d|2[0-4]):[0-5]\d$", examples=["21:00"])


class Preferences(ContractModel):
    timezone: str = Field(min_length=1, examples=["Europe/Berlin"])
    week_starts_on: Literal["monday", "sunday"]
    daily_goal_minutes: int = Field(ge=15, le=720)
    session_minutes: int = Field(ge=15, le=240)
    break_minutes: int = Field(ge=0, le=60)
    availability: tuple[AvailabilityWindow, ...] = Field(max_length=28)
    preferred_time_of_day: Literal["morning", "afternoon", "evening", "any"]


class SubjectSnapshot(ContractModel):
    subject_id: UUID
    name: str
    exam_date: date | None = None
    difficulty: int = Field(ge=1, le=5)
    target_minutes_per_week: int | None = None


class SessionSnapshot(ContractModel):
    session_id: UUID
    subject_id: UUID | None = None
    title: str
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    status: Literal["planned", "in_progress", "completed", "skipped"]


class PlannedSession(ContractModel):
    """A session as a generator proposes it (no id yet: the planner assigns ids)."""

    subject_id: UUID | None = None
    title: str
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    rationale: str | None = None


class FeedbackSnapshot(ContractModel):
    rating: int = Field(ge=1, le=5)
    comments: str | None = None
