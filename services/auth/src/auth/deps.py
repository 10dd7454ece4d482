"""Annotated dependencies for the auth endpoints."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from auth.context import AuthContext
from auth.errors import RecordedFailure
from schediora_runtime.deps import ReadsDep
from schediora_runtime.security import CurrentUser


@asynccontextmanager
async def unit_of_work(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's transaction, as the shared `SessionDep`, except that a `RecordedFailure`
    commits before it answers: a failed login's counters or a revoked family must persist."""
    async with request.app.state.runtime.sessionmaker() as session:
        try:
            yield session
        except RecordedFailure:
            await session.commit()
            raise
        except BaseException:
            await session.rollback()
            raise
        await session.commit()


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with unit_of_work(request) as session:
        yield session


async def _context(request: Request) -> AuthContext:
    return request.app.state.auth


async def _client_address(request: Request) -> str:
    """The address the nearest trusted proxy saw (X-Forwarded-For, counted from the right).

    The leftmost entries are whatever the client wrote, so only hops appended by our own
    proxies (`trusted_proxy_hops`) are believed; without the header, the peer address."""
    hops = request.app.state.auth.settings.trusted_proxy_hops
    forwarded = [
        part.strip()
        for header in request.headers.getlist("x-forwarded-for")
        for part in header.split(",")
        if part.strip()
    ]
    if hops and forwarded:
        return forwarded[-min(hops, len(forwarded))][:64]
    return request.client.host if request.client else "unknown"


# scope="function": the commit finishes before the response is sent (as the shared SessionDep).
SessionDep = Annotated[AsyncSession, Depends(_request_session, scope="function")]
AuthDep = Annotated[AuthContext, Depends(_context)]
ClientAddress = Annotated[str, Depends(_client_address)]

__all__ = ["AuthDep", "ClientAddress", "CurrentUser", "ReadsDep", "SessionDep"]
