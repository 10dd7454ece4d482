"""A generation: one PlanRequested being made into a plan (`running`), then its outcome
(`completed` or `failed`), kept whatever it was."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, DateTime, Index, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ai.db import Base


class Generation(Base):
    __tablename__ = "generations"
    __table_args__ = (
        CheckConstraint("kind IN ('generate', 'reschedule')", name="kind"),
        CheckConstraint("status IN ('running', 'completed', 'failed')", name="status"),
        CheckConstraint("(status = 'running') = (finished_at IS NULL)", name="finished_at"),
        CheckConstraint("(status = 'failed') = (error_code IS NOT NULL)", name="error_code"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    """The planner's job id: a redelivered request finds its generation and never makes a
    second one."""
    user_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(9))
    week_start: Mapped[date] = mapped_column(Date)
    provider: Mapped[str] = mapped_column(String(32))
    model: Mapped[str | None] = mapped_column(String(120))
    previous_generation_id: Mapped[uuid.UUID | None]
    request: Mapped[dict[str, Any]] = mapped_column(JSONB)
    """The PlanRequested payload, as received."""
    sessions: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    quality: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    provenance: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    """How the plan was made (`ai.providers.provenance.Provenance`): provider, model, prompt
    version, LLM calls, token usage, latency, and the path (`llm` or `local_fallback`) and why;
    null for generations stored before it was recorded."""
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    """When the generation started (the `started_at` of its PlanGenerationStarted)."""
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When its outcome was stored; null while it is `running`."""
    llm_tokens_reserved: Mapped[int | None]
    """LLM tokens held from the user's daily budget (on `created_at`'s UTC day) while it runs,
    released when its outcome is stored; null when none were (a local provider, a spent
    budget)."""


Index("ix_generations_user_id_created_at", Generation.user_id, Generation.created_at)
