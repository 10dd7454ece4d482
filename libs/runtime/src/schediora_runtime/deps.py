"""FastAPI dependencies every service uses."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from schediora_runtime.database import transaction


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    async for session in transaction(request.app.state.runtime.sessionmaker):
        yield session


# scope="function": the commit finishes before the response is sent, so a failed commit is the
# client's error response, never a 2xx for a change that did not happen.
SessionDep = Annotated[AsyncSession, Depends(_request_session, scope="function")]
