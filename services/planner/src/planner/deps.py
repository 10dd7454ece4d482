"""Annotated dependencies for the planner endpoints."""

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request

from planner.generation.domain import RequestQuota
from planner.generation.service.live import JobWatch
from schediora_runtime.deps import Now, ReadsDep, SessionDep
from schediora_runtime.security import CurrentUser


async def job_deadline(request: Request) -> timedelta:
    """How long an AI job may wait for its outcome (`GENERATION_DEADLINE_SECONDS`)."""
    return timedelta(seconds=request.app.state.settings.generation_deadline_seconds)


JobDeadline = Annotated[timedelta, Depends(job_deadline)]


async def job_watch(request: Request) -> JobWatch:
    """This process's waiters on jobs and the listener that wakes them (`main.py` makes it)."""
    return request.app.state.job_watch


JobWatchDep = Annotated[JobWatch, Depends(job_watch)]


async def request_quota(request: Request) -> RequestQuota:
    """Plan requests allowed per user and window (`GENERATION_REQUESTS_PER_WINDOW` per
    `GENERATION_REQUEST_WINDOW_SECONDS`)."""
    settings = request.app.state.settings
    return RequestQuota(
        limit=settings.generation_requests_per_window,
        window=timedelta(seconds=settings.generation_request_window_seconds),
    )


Quota = Annotated[RequestQuota, Depends(request_quota)]

__all__ = [
    "CurrentUser",
    "JobDeadline",
    "JobWatchDep",
    "Now",
    "Quota",
    "ReadsDep",
    "SessionDep",
]
