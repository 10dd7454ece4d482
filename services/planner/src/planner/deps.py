"""Annotated dependencies for the planner endpoints."""

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request

from schediora_runtime.deps import Now, ReadsDep, SessionDep
from schediora_runtime.security import CurrentUser


async def job_deadline(request: Request) -> timedelta:
    """How long an AI job may wait for its outcome (`GENERATION_DEADLINE_SECONDS`)."""
    return timedelta(seconds=request.app.state.settings.generation_deadline_seconds)


JobDeadline = Annotated[timedelta, Depends(job_deadline)]

__all__ = ["CurrentUser", "JobDeadline", "Now", "ReadsDep", "SessionDep"]
