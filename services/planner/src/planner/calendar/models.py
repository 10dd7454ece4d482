"""A user's feed (its token's hash only) and busy times (the occurrences of their timetable)."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from planner.db import Base


class CalendarFeed(Base):
    """One feed per user. The token is never stored: only its SHA-256, which is what a feed
    request is looked up by (the token is 256 random bits, so a plain hash cannot be reversed)."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (CheckConstraint("octet_length(token_hash) = 32", name="token_hash_length"),)

    user_id: Mapped[UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    token_hash: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class BusyCalendar(Base):
    """The user's uploaded timetable: how many events it had and when it was uploaded; its
    occurrences are `busy_occurrences`."""

    __tablename__ = "busy_calendars"

    user_id: Mapped[UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    events: Mapped[int] = mapped_column(Integer)
    occurrences: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class BusyOccurrence(Base):
    """One occurrence of a timetable event, expanded at upload, as a UTC instant range."""

    __tablename__ = "busy_occurrences"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("char_length(summary) <= 500", name="summary_length"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("busy_calendars.user_id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    summary: Mapped[str] = mapped_column(Text, server_default="")


Index("ix_busy_occurrences_user_id_starts_at", BusyOccurrence.user_id, BusyOccurrence.starts_at)
