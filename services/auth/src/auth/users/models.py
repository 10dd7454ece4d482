"""Accounts and their onboarding preferences."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from auth.db import Base


class User(Base):
    __tablename__ = "users"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    """As the user typed it (domain normalised); unique case-insensitively (index below)."""
    display_name: Mapped[str | None] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When the user opened the verification link; NULL until then (they can use the app)."""


# Emails are case-insensitive (docs/api.md); the database keeps that invariant under races.
Index("uq_users_lower_email", func.lower(User.email), unique=True)


class OnboardingPreferences(Base):
    """The user's planning preferences (docs/api.md `Preferences`), replaced whole on every PUT."""

    __tablename__ = "onboarding_preferences"
    __table_args__ = (
        CheckConstraint("week_starts_on IN ('monday', 'sunday')", name="week_starts_on"),
        CheckConstraint("daily_goal_minutes BETWEEN 15 AND 720", name="daily_goal_minutes"),
        CheckConstraint("session_minutes BETWEEN 15 AND 240", name="session_minutes"),
        CheckConstraint("break_minutes BETWEEN 0 AND 60", name="break_minutes"),
        CheckConstraint(
            "preferred_time_of_day IN ('morning', 'afternoon', 'evening', 'any')",
            name="preferred_time_of_day",
        ),
        CheckConstraint(
            "jsonb_typeof(availability) = 'array' AND jsonb_array_length(availability) "
            "BETWEEN 1 AND 28",
            name="availability",
        ),
    )

    user_id: Mapped[UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    timezone: Mapped[str] = mapped_column(String(64))
    week_starts_on: Mapped[str] = mapped_column(String(6))
    daily_goal_minutes: Mapped[int] = mapped_column(Integer)
    session_minutes: Mapped[int] = mapped_column(Integer)
    break_minutes: Mapped[int] = mapped_column(Integer)
    availability: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    preferred_time_of_day: Mapped[str] = mapped_column(String(10))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
