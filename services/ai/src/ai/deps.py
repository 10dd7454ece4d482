"""Annotated dependencies for the ai endpoints."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends

from schediora_runtime.deps import SessionDep
from schediora_runtime.security import CurrentUser


async def utc_now() -> datetime:
    """The clock of a request; tests override this dependency."""
    return datetime.now(UTC)


Now = Annotated[datetime, Depends(utc_now)]

__all__ = ["CurrentUser", "Now", "SessionDep", "utc_now"]
