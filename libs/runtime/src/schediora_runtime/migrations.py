"""Alembic for one service: its tables and its version table live in its own schema only."""

import asyncio
from typing import Any

from alembic import context
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from schediora_runtime.settings import ServiceSettings


def _configure(
    metadata: MetaData, schema: str, unmapped_tables: frozenset[str], **kwargs: Any
) -> None:
    def include_name(name: str | None, type_: str, _parent: Any) -> bool:
        # Autogenerate compares only this service's schema; other services' tables are not ours.
        if type_ == "schema":
            return name == schema
        return not (type_ == "table" and name in unmapped_tables)

    context.configure(
        target_metadata=metadata,
        version_table_schema=schema,
        include_schemas=True,
        include_name=include_name,
        compare_type=True,
        compare_server_default=True,
        **kwargs,
    )


def run_migrations(
    metadata: MetaData,
    settings: ServiceSettings,
    *,
    unmapped_tables: frozenset[str] = frozenset(),
) -> None:
    """Entry point for a service's `migrations/env.py`. `unmapped_tables` are kept by the
    migrations but mapped by no model (legacy tables): autogenerate leaves them alone."""
    schema = settings.database_schema
    url = context.config.attributes.get("database_url") or settings.sqlalchemy_url
    if context.is_offline_mode():
        _configure(metadata, schema, unmapped_tables, url=url, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return

    def migrate(connection: Connection) -> None:
        _configure(metadata, schema, unmapped_tables, connection=connection)
        with context.begin_transaction():
            context.run_migrations()

    async def run() -> None:
        engine = create_async_engine(
            url,
            poolclass=pool.NullPool,
            # search_path is `public` here, not the service schema: with the schema as the default
            # one, PostgreSQL reflects its tables without a schema name and autogenerate would
            # see every table of the (schema-qualified) metadata as missing.
            connect_args={"options": "-c search_path=public -c lock_timeout=5000"},
        )
        async with engine.connect() as connection:
            await connection.run_sync(migrate)
        await engine.dispose()

    asyncio.run(run())
