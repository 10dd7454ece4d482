"""The tokens one user's generations spent, and hold in reserve, on one UTC day."""

import uuid
from datetime import date

from sqlalchemy import BigInteger, CheckConstraint, Date
from sqlalchemy.orm import Mapped, mapped_column

from ai.db import Base


class TokenUsage(Base):
    __tablename__ = "token_usage"
    __table_args__ = (
        CheckConstraint("tokens >= 0", name="tokens"),
        CheckConstraint("reserved >= 0", name="reserved"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    """The UTC day the tokens were spent (reserved: the day the generation began)."""
    tokens: Mapped[int] = mapped_column(BigInteger)
    """Prompt and completion tokens, as the LLM's answers reported them."""
    reserved: Mapped[int] = mapped_column(BigInteger, server_default="0")
    """Tokens held for generations still running: the most their answers may cost."""
