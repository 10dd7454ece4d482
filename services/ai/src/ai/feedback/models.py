"""A student's rating (1-5), comments and structured adjustments on one generation."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, SmallInteger, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ai.db import Base

ONE_PER_GENERATION = "uq_feedback_generation_id"


class Feedback(Base):
    __tablename__ = "feedback"
    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
        CheckConstraint("char_length(comments) <= 2000", name="comments_length"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    generation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("generations.id", ondelete="CASCADE")
    )
    user_id: Mapped[uuid.UUID]
    rating: Mapped[int] = mapped_column(SmallInteger)
    comments: Mapped[str | None] = mapped_column(Text)
    adjustments: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    """The wishes sent as the app's chips (`FeedbackAdjustments`), if any."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# One feedback per generation, race-proof.
Index(ONE_PER_GENERATION, Feedback.generation_id, unique=True)
Index("ix_feedback_user_id_created_at", Feedback.user_id, Feedback.created_at)
