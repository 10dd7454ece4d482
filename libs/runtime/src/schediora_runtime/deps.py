"""FastAPI dependencies every service uses."""

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from schediora_runtime.clock import utc_now
from schediora_runtime.database import transaction
from schediora_runtime.reads import Reads


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    async for session in transaction(request.app.state.runtime.sessionmaker):
        yield session


# scope="function": the commit finishes before the response is sent, so a failed commit is the
# client's error response, never a 2xx for a change that did not happen.
SessionDep = Annotated[AsyncSession, Depends(_request_session, scope="function")]


async def _reads(request: Request) -> Reads:
    return request.app.state.runtime.reads


ReadsDep = Annotated[Reads, Depends(_reads)]
"""The service's autocommit read pool, for reads that need no transaction (no BEGIN/COMMIT)."""


async def request_now() -> datetime:
    """The clock of a request; tests override this dependency to fix "today". `async`, so
    FastAPI calls it on the event loop rather than in its thread pool."""
    return utc_now()


Now = Annotated[datetime, Depends(request_now)]
