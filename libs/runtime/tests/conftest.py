"""Runtime fixtures: a throwaway schema in the real test database, and per-test broker names."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Identity,
    Integer,
    MetaData,
    String,
    Table,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from schediora_runtime.bootstrap import ensure_database
from schediora_runtime.messaging.broker import Broker
from schediora_runtime.messaging.inbox import processed_events_table
from schediora_runtime.messaging.outbox import outbox_table
from schediora_runtime.messaging.topology import Topology
from schediora_testkit import testing


@dataclass
class Store:
    """One test's schema: the outbox, the inbox and an `effects` table a handler writes to."""

    schema: str
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    outbox: Table
    processed_events: Table
    effects: Table

    async def count(self, table: Table, *where: ColumnElement[bool]) -> int:
        async with self.engine.connect() as conn:
            return await conn.scalar(select(func.count()).select_from(table).where(*where)) or 0

    async def unsent(self) -> int:
        return await self.count(self.outbox, self.outbox.c.sent_at.is_(None))

    async def rows(self, table: Table, *order_by: Any) -> list[Any]:
        async with self.engine.connect() as conn:
            return list((await conn.execute(select(table).order_by(*order_by))).all())

    def new_engine(self, **options: Any) -> AsyncEngine:
        """A second engine on the same database, as another process would have."""
        return create_async_engine(self.engine.url, **options)


@pytest.fixture(scope="session")
def database_url() -> str:
    ensure_database(testing.admin_url(), testing.test_database_name())
    return testing.database_url()


@pytest.fixture
async def store(database_url) -> AsyncIterator[Store]:
    schema = f"runtime_test_{uuid.uuid4().hex[:12]}"
    metadata = MetaData(schema=schema)
    outbox = outbox_table(metadata)
    processed_events = processed_events_table(metadata)
    effects = Table(
        "effects",
        metadata,
        # Deliberately no unique key on event_id: a double apply must show as two rows.
        Column("id", BigInteger, Identity(always=True), primary_key=True),
        Column("event_id", PG_UUID(as_uuid=True), nullable=False),
        Column("aggregate_id", String(64), nullable=False),
        Column("seq", Integer, nullable=False),
    )
    engine = create_async_engine(database_url, pool_size=5, max_overflow=10)
    async with engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        await conn.run_sync(metadata.create_all)
    try:
        yield Store(
            schema=schema,
            engine=engine,
            sessionmaker=async_sessionmaker(engine, expire_on_commit=False),
            outbox=outbox,
            processed_events=processed_events,
            effects=effects,
        )
    finally:
        async with engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await engine.dispose()


@dataclass
class BrokerNames:
    """Exchange and queue names only this test uses; everything listed is deleted afterwards."""

    topology: Topology
    queues: list[str] = field(default_factory=list)

    def queue(self, prefix: str) -> str:
        name = testing.unique_name(prefix)
        self.queues.append(name)
        return name


@pytest.fixture
async def names() -> AsyncIterator[BrokerNames]:
    topology = Topology(exchange=testing.unique_name("events"), queue=testing.unique_name("svc"))
    names = BrokerNames(topology)
    try:
        yield names
    finally:
        await testing.delete_broker_objects(
            [topology.queue, topology.dead_letter_queue, *names.queues],
            [topology.exchange, topology.dead_letter_exchange],
        )


@pytest.fixture
def topology(names) -> Topology:
    return names.topology


@pytest.fixture
async def broker(topology) -> AsyncIterator[Broker]:
    broker = Broker(testing.broker_url(), topology, name=testing.unique_name("broker"))
    await broker.start()
    try:
        await broker.wait_connected(timeout=15)
        yield broker
    finally:
        await broker.stop()


@pytest.fixture
async def loop_errors() -> AsyncIterator[list[dict[str, Any]]]:
    """Everything that reached the event loop's exception handler (e.g. a failed ack task)."""
    loop = asyncio.get_running_loop()
    errors: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: errors.append(context))
    try:
        yield errors
    finally:
        loop.set_exception_handler(previous)
