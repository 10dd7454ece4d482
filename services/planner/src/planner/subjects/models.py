"""A subject the user studies: what the planner schedules sessions for."""

import uuid
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from planner.db import Base

NAME_INDEX = "uq_subjects_user_id_lower_name"


class Subject(Base):
    __tablename__ = "subjects"
    __table_args__ = (
        CheckConstraint("char_length(name) BETWEEN 1 AND 120", name="name_length"),
        CheckConstraint("difficulty BETWEEN 1 AND 5", name="difficulty"),
        CheckConstraint(
            "target_minutes_per_week BETWEEN 0 AND 10080", name="target_minutes_per_week"
        ),
        CheckConstraint("color ~ '^#[0-9A-F]{6}$'", name="color"),
    )
    __mapper_args__ = {"eager_defaults": True}

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    exam_date: Mapped[date | None] = mapped_column(Date)
    difficulty: Mapped[int] = mapped_column(SmallInteger, server_default="3")
    target_minutes_per_week: Mapped[int | None] = mapped_column(Integer)
    color: Mapped[str | None] = mapped_column(String(7))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


# Names are unique per user regardless of case (a race-proof 409); the index also serves every
# user-scoped query, since it starts with user_id.
Index(NAME_INDEX, Subject.user_id, func.lower(Subject.name), unique=True)
