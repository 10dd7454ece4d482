"""The planner's local copy of each user's profile and preferences, built from auth's events."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import CheckConstraint, DateTime, Integer, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from planner.db import Base


class PlannerUser(Base):
    """One row per user. Preferences are null until the user has set them."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("week_starts_on IN ('monday', 'sunday')", name="week_starts_on"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    timezone: Mapped[str] = mapped_column(String(64), server_default="UTC")
    week_starts_on: Mapped[str] = mapped_column(String(6), server_default="monday")
    daily_goal_minutes: Mapped[int | None] = mapped_column(Integer)
    session_minutes: Mapped[int | None] = mapped_column(Integer)
    break_minutes: Mapped[int | None] = mapped_column(Integer)
    preferred_time_of_day: Mapped[str | None] = mapped_column(String(10))
    availability: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    preferences_updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """`occurred_at` of the event the preferences came from: an older event never wins."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
