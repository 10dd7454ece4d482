"""A weekly study plan and its sessions: the time the user has set aside to study."""

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    cast,
    extract,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from planner.db import Base
from planner.plans.domain import minutes_between
from schediora_contracts.limits import SESSION_MAX_HOURS, SESSION_TITLE_MAX_LENGTH

ACTIVE_PLAN_INDEX = "uq_study_plans_user_id_week_start_active"
NO_OVERLAP_CONSTRAINT = "ex_study_sessions_no_overlap"
PLAN_GENERATION_KEY = "uq_study_plans_generation_id"
SESSION_START_KEY = "uq_study_sessions_plan_id_starts_at"


class StudySession(Base):
    """`active` copies "its plan is active": only active plans' sessions may not overlap."""

    __tablename__ = "study_sessions"
    __table_args__ = (
        CheckConstraint(
            "status IN ('planned', 'in_progress', 'completed', 'skipped')", name="status"
        ),
        CheckConstraint("source IN ('manual', 'ai')", name="source"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(
            f"ends_at - starts_at <= interval '{SESSION_MAX_HOURS} hours'", name="max_duration"
        ),
        CheckConstraint(
            f"char_length(title) BETWEEN 1 AND {SESSION_TITLE_MAX_LENGTH}", name="title_length"
        ),
        CheckConstraint("char_length(notes) <= 2000", name="notes_length"),
        CheckConstraint("actual_minutes BETWEEN 0 AND 1440", name="actual_minutes"),
        CheckConstraint("(status = 'completed') = (completed_at IS NOT NULL)", name="completed_at"),
        CheckConstraint(
            "status = 'completed' OR actual_minutes IS NULL", name="actual_minutes_completed"
        ),
        # Half-open ranges: sessions that only touch do not overlap (docs/api.md).
        ExcludeConstraint(
            ("user_id", "="),
            (text("tstzrange(starts_at, ends_at, '[)')"), "&&"),
            where=text("active"),
            using="gist",
            name=NO_OVERLAP_CONSTRAINT,
        ),
    )
    __mapper_args__ = {"eager_defaults": True}

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("study_plans.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    subject_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("subjects.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(SESSION_TITLE_MAX_LENGTH))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(11), server_default="planned")
    source: Mapped[str] = mapped_column(String(6), server_default="manual")
    notes: Mapped[str | None] = mapped_column(Text)
    actual_minutes: Mapped[int | None] = mapped_column(Integer)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rationale: Mapped[str | None] = mapped_column(Text)
    pinned: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    """Pinned by the student: a reschedule keeps it exactly (id and times)."""
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    plan: Mapped["StudyPlan"] = relationship(back_populates="sessions", lazy="raise")

    @property
    def duration_minutes(self) -> int:
        return minutes_between(self.starts_at, self.ends_at)


# A session's scheduled length in whole minutes, as SQL.
SCHEDULED_MINUTES = cast(
    func.floor(extract("epoch", StudySession.ends_at - StudySession.starts_at) / 60), Integer
)


class StudyPlan(Base):
    __tablename__ = "study_plans"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'superseded')", name="status"),
        CheckConstraint("source IN ('manual', 'ai')", name="source"),
        CheckConstraint(
            f"char_length(title) BETWEEN 1 AND {SESSION_TITLE_MAX_LENGTH}", name="title_length"
        ),
    )
    __mapper_args__ = {"eager_defaults": True}

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    week_start: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(6), server_default="manual")
    status: Mapped[str] = mapped_column(String(10), server_default="active")
    generation_id: Mapped[uuid.UUID | None]
    title: Mapped[str | None] = mapped_column(String(SESSION_TITLE_MAX_LENGTH))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    sessions: Mapped[list[StudySession]] = relationship(
        back_populates="plan", order_by="StudySession.starts_at", lazy="raise"
    )
    # Loaded with every plan, by correlated subqueries.
    session_count: Mapped[int] = column_property(
        select(func.count()).where(StudySession.plan_id == id).scalar_subquery()
    )
    total_minutes: Mapped[int] = column_property(
        select(func.coalesce(func.sum(SCHEDULED_MINUTES), 0))
        .where(StudySession.plan_id == id)
        .scalar_subquery()
    )

    @property
    def week_end(self) -> date:
        """The week's last day, inclusive."""
        return self.week_start + timedelta(days=6)


# At most one active plan per user and week, race-proof; it also serves the user's plan queries.
Index(
    ACTIVE_PLAN_INDEX,
    StudyPlan.user_id,
    StudyPlan.week_start,
    unique=True,
    postgresql_where=text("status = 'active'"),
)
Index("ix_study_plans_user_id_week_start", StudyPlan.user_id, StudyPlan.week_start)
# Business keys: a generation stores one plan, a plan one session per start. A duplicate outcome
# that got past the inbox raises IntegrityError instead of storing twice (docs/reliability.md).
Index(PLAN_GENERATION_KEY, StudyPlan.generation_id, unique=True,
      postgresql_where=text("generation_id IS NOT NULL"))  # fmt: skip
Index(SESSION_START_KEY, StudySession.plan_id, StudySession.starts_at, unique=True)
Index("ix_study_sessions_user_id_starts_at", StudySession.user_id, StudySession.starts_at)
