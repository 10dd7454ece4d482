"""Signing keys rotated in and withdrawn by `python -m auth.signing` (auth/signing/README)."""

from datetime import datetime

from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from auth.db import Base


class SigningKey(Base):
    """A key made by `rotate` (with its private PEM), or a configured key that was withdrawn
    (no private PEM). The newest rotated key not withdrawn signs; a withdrawn kid is refused.

    The private PEM is readable only by auth's own role (the schema's owner), like the
    configured key in auth's environment."""

    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    public_pem: Mapped[str] = mapped_column(Text)
    private_pem: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
