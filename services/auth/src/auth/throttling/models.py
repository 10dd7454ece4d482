"""Failure counters per login email, client address and registering address."""

from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from auth.db import Base


class Throttle(Base):
    """One fixed window of failures for one key; `locked_until` set once the limit is reached.

    Keys are hashed (`<scope>:<sha256>`): no email or address an attacker typed is stored."""

    __tablename__ = "throttles"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    window_started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    failures: Mapped[int] = mapped_column(Integer)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
