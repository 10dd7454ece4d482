"""Refresh tokens: only their SHA-256 hashes, grouped in families that rotate as one grant."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from auth.db import Base


class RefreshToken(Base):
    """One refresh token. `rotated_at` marks it spent; `revoked_at` ends it (and its family)."""

    __tablename__ = "refresh_tokens"
    __table_args__ = (CheckConstraint("octet_length(token_hash) = 32", name="token_hash_sha256"),)

    id: Mapped[UUID] = mapped_column(primary_key=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    family_id: Mapped[UUID] = mapped_column(index=True)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    """The family's absolute end (login + refresh lifetime): rotation never extends it."""
    rotated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
