"""Annotated dependencies for the planner endpoints."""

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request

from schediora_runtime.deps import ReadsDep, SessionDep
from schediora_runtime.security import CurrentUser


async def utc_now() -> datetime:
    """The clock of a request; tests override this dependency to fix "today". `async`, so
    FastAPI calls it on the event loop rather than in its thread pool."""
    return datetime.now(UTC)


Now = Annotated[datetime, Depends(utc_now)]


async def job_deadline(request: Request) -> timedelta:
    """How long an AI job may wait for its outcome (`GENERATION_DEADLINE_SECONDS`)."""
    return timedelta(seconds=request.app.state.settings.generation_deadline_seconds)


JobDeadline = Annotated[timedelta, Depends(job_deadline)]

__all__ = ["CurrentUser", "JobDeadline", "Now", "ReadsDep", "SessionDep", "utc_now"]
