"""The dashboard's response body (docs/api.md: Dashboard)."""

from datetime import date
from uuid import UUID

from pydantic import BaseModel, Field

from planner.dashboard.domain import Range


class DayTotals(BaseModel):
    date: date
    planned_minutes: int
    completed_minutes: int


class SubjectMinutes(BaseModel):
    subject_id: UUID
    name: str
    planned_minutes: int
    completed_minutes: int


class SessionCounts(BaseModel):
    """Sessions in the range by status; every status is present, 0 when none."""

    planned: int = 0
    in_progress: int = 0
    completed: int = 0
    skipped: int = 0


class DashboardSummary(BaseModel):
    range: Range
    from_: date = Field(serialization_alias="from")
    to: date
    planned_minutes: int
    completed_minutes: int
    completion_rate: float
    sessions: SessionCounts
    streak_days: int
    by_day: list[DayTotals]
    by_subject: list[SubjectMinutes]
