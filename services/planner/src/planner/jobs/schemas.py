"""API models of AI jobs (docs/api.md: AI planning)."""

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field, StringConstraints

from planner.jobs.domain import JobKind, JobStatus
from schediora_runtime.problems import StrictModel
from schediora_runtime.timestamps import UtcTimestamp

Notes = Annotated[str, StringConstraints(max_length=1000)]
Comments = Annotated[str, StringConstraints(max_length=2000)]


class GenerateRequest(StrictModel):
    week_start: date | None = Field(
        default=None, description="The current week (default) or the next one."
    )
    subject_ids: list[UUID] | None = Field(
        default=None, max_length=100, description="Default: all of your subjects."
    )
    notes: Notes | None = None


class FeedbackInput(StrictModel):
    rating: int = Field(ge=1, le=5)
    comments: Comments | None = None


class RescheduleRequest(StrictModel):
    notes: Notes | None = None
    feedback: FeedbackInput | None = Field(
        default=None, description="Your view of the current plan; the new one takes it in."
    )


class JobError(BaseModel):
    code: str
    message: str


class JobRead(BaseModel):
    id: UUID
    kind: JobKind
    status: JobStatus
    week_start: date
    plan_id: UUID | None
    error: JobError | None
    created_at: UtcTimestamp
    started_at: UtcTimestamp | None
    finished_at: UtcTimestamp | None


class WeeklyStatus(BaseModel):
    week_start: date
    week_end: date
    can_generate: bool
    reason: str | None = Field(description='null, "weekly_plan_exists" or "generation_in_progress"')
    current_plan_id: UUID | None
    latest_job: JobRead | None
