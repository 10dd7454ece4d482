"""An AI plan job: one request for a generated week, from `queued` to `completed` or `failed`."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from planner.db import Base

IN_FLIGHT_INDEX = "uq_ai_jobs_user_id_week_start_in_flight"
IDEMPOTENCY_INDEX = "uq_ai_jobs_user_id_idempotency_key"


class AiJob(Base):
    __tablename__ = "ai_jobs"
    __table_args__ = (
        CheckConstraint("kind IN ('generate', 'reschedule')", name="kind"),
        CheckConstraint("status IN ('queued', 'running', 'completed', 'failed')", name="status"),
        # A job is completed exactly when its plan is stored, failed exactly when it says why.
        CheckConstraint("(status = 'completed') = (plan_id IS NOT NULL)", name="plan_id"),
        CheckConstraint("(status = 'failed') = (error_code IS NOT NULL)", name="error_code"),
        CheckConstraint(
            "(status IN ('completed', 'failed')) = (finished_at IS NOT NULL)", name="finished_at"
        ),
        CheckConstraint("char_length(notes) <= 1000", name="notes_length"),
    )
    __mapper_args__ = {"eager_defaults": True}

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    """Also the generation id of the plan it produces (docs/api.md)."""
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(9), server_default="queued")
    week_start: Mapped[date] = mapped_column(Date)
    plan_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("study_plans.id", ondelete="SET NULL")
    )
    previous_plan_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("study_plans.id", ondelete="SET NULL")
    )
    """The plan a reschedule replaces."""
    notes: Mapped[str | None] = mapped_column(Text)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    feedback: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    """What the generator made of a reschedule's feedback (`FeedbackReport`), once completed."""
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    """Exams the completed plan cannot fully cover (`CoverageWarning`s); `[]` otherwise."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deadline_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    """After this, a job with no outcome is failed with `generation_timeout`."""
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


# The weekly window, race-proof: at most one queued or running job per user and week.
Index(
    IN_FLIGHT_INDEX,
    AiJob.user_id,
    AiJob.week_start,
    unique=True,
    postgresql_where=text("status IN ('queued', 'running')"),
)
# A retried POST with the same Idempotency-Key finds its job.
Index(
    IDEMPOTENCY_INDEX,
    AiJob.user_id,
    AiJob.idempotency_key,
    unique=True,
    postgresql_where=text("idempotency_key IS NOT NULL"),
)
# The weekly status reads the latest job of a week.
Index("ix_ai_jobs_user_id_week_start_created_at", AiJob.user_id, AiJob.week_start, AiJob.created_at)
# The deadline worker scans only jobs still waiting for an outcome.
Index(
    "ix_ai_jobs_deadline_at_in_flight",
    AiJob.deadline_at,
    postgresql_where=text("status IN ('queued', 'running')"),
)
