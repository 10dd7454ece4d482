"""The async SQLAlchemy engine and sessions, confined to one service's own schema."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import MetaData, event
from sqlalchemy.exc import DisconnectionError, IntegrityError
from sqlalchemy.ext import asyncio as sa_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from schediora_runtime.liveness import server_closed
from schediora_runtime.settings import ServiceSettings

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def schema_metadata(schema: str) -> MetaData:
    """Metadata for one service: its schema on every table, constraint names predictable."""
    return MetaData(schema=schema, naming_convention=NAMING_CONVENTION)


def connection_options(settings: ServiceSettings) -> str:
    """libpq `options` pinning the service's schema and its statement timeout."""
    return (
        f"-c search_path={settings.database_schema} "
        f"-c statement_timeout={settings.database_statement_timeout_ms}"
    )


def libpq_conninfo(settings: ServiceSettings) -> str:
    """The service's database URL as psycopg connects to it outside SQLAlchemy."""
    return settings.sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1)


def create_engine(settings: ServiceSettings, **overrides: Any) -> AsyncEngine:
    """An engine whose connections can only see the service's schema (search_path pinned).

    No pre-ping (a `SELECT 1` round trip on every checkout): a connection the server closed
    while it sat in the pool is found without one (`server_closed`) and replaced by the pool.
    """
    # Looked up on the module at call time: tracing wraps it there once, so every engine
    # created after `configure_tracing` emits database spans.
    engine = sa_asyncio.create_async_engine(
        settings.sqlalchemy_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        pool_timeout=10,
        connect_args={
            "options": connection_options(settings),
            "application_name": settings.service_name,
        },
        **overrides,
    )
    event.listen(engine.sync_engine.pool, "checkout", _replace_closed)
    return engine


def _replace_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    # DisconnectionError makes the pool drop this connection and check out another.
    if server_closed(dbapi_connection.driver_connection):
        raise DisconnectionError("the server closed the idle connection")


def create_sessionmaker(engine: AsyncEngine, **info: Any) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit; `info` reaches every session."""
    return async_sessionmaker(engine, expire_on_commit=False, info=info)


async def transaction(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit when the caller finishes, roll back if it raises."""
    async with sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


unit_of_work = asynccontextmanager(transaction)
"""`async with unit_of_work(sessionmaker) as session:` the same unit of work, opened by an
endpoint only when its fast path (no ORM) cannot serve the request."""


def violated_constraint(exc: IntegrityError) -> str | None:
    """The name of the constraint or unique index an `IntegrityError` broke, if PostgreSQL
    said; repositories turn it into their own domain error."""
    return getattr(getattr(exc.orig, "diag", None), "constraint_name", None)
