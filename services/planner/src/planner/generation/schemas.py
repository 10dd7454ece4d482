"""API models of AI jobs (docs/api.md: AI planning)."""

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field, StringConstraints

from planner.generation.domain import JobKind, JobStatus
from schediora_contracts.adjustments import EXAMPLES as ADJUSTMENT_EXAMPLES
from schediora_contracts.adjustments import AdjustmentsInput
from schediora_contracts.common import CoverageWarning, FeedbackReport
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
    adjustments: AdjustmentsInput | None = Field(
        default=None,
        description="What to change, as the app's chips say it: `more`/`less` (ids of your "
        "subjects), `avoid_periods`, `prefer_period`, `free_days` (0 = Monday), "
        "`session_length`, `daily_load`, `not_before`/`not_after` (HH:MM, local).",
    )


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
    feedback: FeedbackReport | None = Field(
        description="A completed reschedule with feedback: the wishes understood (chips and "
        "comment), those applied, those that could not be met, and the words not understood; "
        "null otherwise."
    )
    warnings: list[CoverageWarning] = Field(
        description="A completed job: the exams its plan cannot fully cover (`exam_not_covered`: "
        "per subject, the minutes needed before the exam and the minutes planned); empty when "
        "every exam's need is met, and for every other job."
    )
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


RESCHEDULE_EXAMPLES = {
    "chips": {
        "summary": "A rating with the app's chips",
        "value": {
            "feedback": {
                "rating": 2,
                "adjustments": ADJUSTMENT_EXAMPLES["evenings_and_free_weekend"]["value"],
            }
        },
    },
    "chips_and_comment": {
        "summary": "A rating, a comment and chips",
        "value": {
            "notes": "Exam on Friday",
            "feedback": {
                "rating": 3,
                "comments": "Too much history, and I work until 10.",
                "adjustments": ADJUSTMENT_EXAMPLES["subjects_and_hours"]["value"],
            },
        },
    },
    "comment_only": {
        "summary": "A rating and a comment",
        "value": {"feedback": {"rating": 2, "comments": "Sessions are too short."}},
    },
}
"""OpenAPI examples of `POST /ai/plans/reschedule`'s body."""
