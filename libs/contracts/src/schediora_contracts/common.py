"""Value types that several events share."""

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from schediora_contracts.limits import SESSION_RATIONALE_MAX_LENGTH, SESSION_TITLE_MAX_LENGTH

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
    pinned: bool = False
    """Pinned by the student: a reschedule keeps it exactly where it is (a kept session)."""


class BusyInterval(ContractModel):
    """Time the student is busy (an occurrence of their uploaded timetable): no new session may
    overlap it. Half-open `[starts_at, ends_at)`."""

    starts_at: AwareDatetime
    ends_at: AwareDatetime


class PlannedSession(ContractModel):
    """A session as a generator proposes it (no id yet: the planner assigns ids)."""

    subject_id: UUID | None = None
    title: str = Field(min_length=1, max_length=SESSION_TITLE_MAX_LENGTH)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    rationale: str | None = Field(default=None, max_length=SESSION_RATIONALE_MAX_LENGTH)


Period = Literal["morning", "afternoon", "evening"]
"""A part of the day, local time: morning 05-12, afternoon 12-17, evening 17-23."""

LocalClock = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["10:00"])]
"""A local wall-clock time, HH:MM."""

MAX_ADJUSTED_SUBJECTS = 20


class FeedbackAdjustments(ContractModel):
    """What a student asks of the next plan, as the app's chips say it (and as a comment is
    understood). Every field is optional; the empty value asks for nothing."""

    more: tuple[UUID, ...] = Field(default=(), max_length=MAX_ADJUSTED_SUBJECTS)
    """Subjects to give a bigger share of the week."""
    less: tuple[UUID, ...] = Field(default=(), max_length=MAX_ADJUSTED_SUBJECTS)
    """Subjects to give a smaller share of the week."""
    avoid_periods: tuple[Period, ...] = Field(default=(), max_length=3)
    prefer_period: Period | None = None
    free_days: tuple[Weekday, ...] = Field(default=(), max_length=7)
    """Local weekdays (0 = Monday) to keep free of sessions."""
    session_length: Literal["shorter", "longer"] | None = None
    daily_load: Literal["lighter", "heavier"] | None = None
    not_before: LocalClock | None = None
    """No session starts before this local time."""
    not_after: LocalClock | None = None
    """No session ends after this local time."""

    def is_empty(self) -> bool:
        return self == FeedbackAdjustments()


class FeedbackSnapshot(ContractModel):
    rating: int = Field(ge=1, le=5)
    comments: str | None = None
    adjustments: FeedbackAdjustments | None = None
    """The structured wishes sent with the rating (chips in the app), if any."""


class CoverageWarning(ContractModel):
    """An exam the plan cannot fully prepare for: the minutes it needs before the exam and the
    minutes the plan gives it. The app shows the gap (a "cushion" it lacks)."""

    code: Literal["exam_not_covered"] = "exam_not_covered"
    subject_id: UUID
    needed_minutes: int = Field(ge=0)
    planned_minutes: int = Field(ge=0)


class FeedbackReport(ContractModel):
    """What the generator made of the feedback: the wishes it understood (chips and comment
    together), which it applied, which it could not meet, and the words it did not understand."""

    understood: FeedbackAdjustments = FeedbackAdjustments()
    applied: tuple[str, ...] = ()
    """Each applied wish, named (e.g. "avoid morning", "more Calculus", "daily_load lighter")."""
    not_met: tuple[str, ...] = ()
    """Wishes understood but not met, named the same way (e.g. no evening time at all)."""
    not_understood: tuple[str, ...] = ()
    """Parts of the comment that asked for nothing the generator understood."""
