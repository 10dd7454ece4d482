"""The planner's reads at volume (1,000 users x 20 weeks of plans): the exact SQL each use case
sends, explained with its own parameters, reaches study_plans and study_sessions through the
index meant for it, never by a sequential scan.

The plans are logged (`pytest --log-cli-level=INFO`) with each node's rows and time.
"""

import json
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import psycopg
import pytest
import pytest_asyncio
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from planner.dashboard import service as dashboard
from planner.plans import repository
from planner.plans import service as plans
from planner.seed import analyze, remove, seed
from planner.settings import Settings
from schediora_runtime.database import create_engine, create_sessionmaker
from schediora_runtime.pagination import DEFAULT_LIMIT
from schediora_testkit import testing

logger = logging.getLogger(__name__)
pytestmark = pytest.mark.asyncio(loop_scope="module")

USERS = 1000
WEEKS = 20
WATCHED = frozenset({"study_sessions", "study_plans"})

SESSIONS_BY_START = "ix_study_sessions_user_id_starts_at"
SESSIONS_BY_PLAN = "uq_study_sessions_plan_id_starts_at"
PLANS_BY_WEEK = "ix_study_plans_user_id_week_start"
ACTIVE_PLAN_BY_WEEK = "uq_study_plans_user_id_week_start_active"


@dataclass(frozen=True)
class Volume:
    engine: AsyncEngine
    now: datetime
    user_id: UUID
    """A seeded user in the middle of the batch, whose queries are explained."""


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def volume(test_database) -> Volume:
    engine = create_engine(Settings(database_url=testing.database_url("planner"), log_json=False))
    now = datetime.now(UTC)
    try:
        async with engine.begin() as connection:
            seeded = await seed(connection, users=USERS, weeks=WEEKS, now=now)
        try:
            async with engine.begin() as connection:
                await analyze(connection)
            yield Volume(engine, now, seeded.user_ids[USERS // 2])
        finally:
            async with engine.begin() as connection:
                await remove(connection, seeded.user_ids)
    finally:
        await engine.dispose()


@contextmanager
def recorded(engine: AsyncEngine) -> Iterator[list[tuple[str, Any]]]:
    """The statements and parameters the engine sends while the block runs."""
    statements: list[tuple[str, Any]] = []

    def record(connection, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


class RecordingReads:
    """A `Reads` stand-in whose connection records every statement and its parameters."""

    def __init__(self, statements: list[tuple[str, Any]]) -> None:
        self.statements = statements

    async def run(self, read):
        url = testing.libpq_url(testing.database_url("planner"))
        options = "-c search_path=planner"
        async with await psycopg.AsyncConnection.connect(
            url, autocommit=True, options=options
        ) as connection:
            return await read(_Recording(connection, self.statements))


class _Recording:
    def __init__(self, target: Any, statements: list[tuple[str, Any]]) -> None:
        self._target = target
        self._statements = statements

    async def execute(self, query: str, params: Any = None) -> Any:
        self._statements.append((query, params))
        result = await self._target.execute(query, params)
        return self if result is self._target else result

    def cursor(self, **options: Any) -> "_Recording":
        return _Recording(self._target.cursor(**options), self._statements)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target, name)


def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from nodes(child)


def describe(node: dict[str, Any]) -> str:
    where = f" on {node['Relation Name']}" if "Relation Name" in node else ""
    index = f" using {node['Index Name']}" if "Index Name" in node else ""
    return (
        f"{node['Node Type']}{where}{index}: rows={node['Actual Rows']}"
        f" loops={node['Actual Loops']} time={node['Actual Total Time']:.3f} ms"
    )


async def explained(engine: AsyncEngine, statements: list[tuple[str, Any]]) -> list[dict]:
    """Each recorded SELECT run again under EXPLAIN ANALYZE with the same parameters."""
    plans = []
    async with engine.connect() as connection:
        for statement, parameters in statements:
            assert statement.lstrip().upper().startswith(("SELECT", "WITH")), statement
            result = await connection.exec_driver_sql(
                f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {statement}", parameters
            )
            document = result.scalar_one()
            plans.append((json.loads(document) if isinstance(document, str) else document)[0])
    return plans


Use = Callable[[AsyncSession, Any, UUID, datetime], Awaitable[object]]
"""A use case run with a session (transactions) and a read pool (reads without one)."""


async def sessions_this_week(session: AsyncSession, reads, user_id: UUID, now: datetime) -> None:
    await plans.read_sessions(
        reads, user_id, week="current", now=now, limit=DEFAULT_LIMIT, cursor=None
    )


async def all_sessions_two_pages(
    session: AsyncSession, reads, user_id: UUID, now: datetime
) -> None:
    page = await plans.read_sessions(
        reads, user_id, week="all", now=now, limit=DEFAULT_LIMIT, cursor=None
    )
    assert page.next_cursor is not None
    await plans.read_sessions(
        reads, user_id, week="all", now=now, limit=DEFAULT_LIMIT, cursor=page.next_cursor
    )


async def current_plan(session: AsyncSession, reads, user_id: UUID, now: datetime) -> None:
    await plans.read_current(reads, user_id, now)


async def plans_two_pages(session: AsyncSession, reads, user_id: UUID, now: datetime) -> None:
    _, cursor = await plans.list(session, user_id, status=None, limit=10, cursor=None)
    assert cursor is not None
    await plans.list(session, user_id, status=None, limit=10, cursor=cursor)


async def active_plans(session: AsyncSession, reads, user_id: UUID, now: datetime) -> None:
    await plans.list(session, user_id, status="active", limit=DEFAULT_LIMIT, cursor=None)


async def dashboard_7d(session: AsyncSession, reads, user_id: UUID, now: datetime) -> None:
    await dashboard.summary(reads, user_id, "7d", now)


async def dashboard_30d(session: AsyncSession, reads, user_id: UUID, now: datetime) -> None:
    await dashboard.summary(reads, user_id, "30d", now)


CASES: list[tuple[str, Use, set[str]]] = [
    ("GET /sessions?week=current", sessions_this_week, {SESSIONS_BY_START}),
    ("GET /sessions?week=all, two pages", all_sessions_two_pages, {SESSIONS_BY_START}),
    ("GET /plans/current", current_plan, {ACTIVE_PLAN_BY_WEEK, SESSIONS_BY_PLAN}),
    ("GET /plans, two pages", plans_two_pages, {PLANS_BY_WEEK, SESSIONS_BY_PLAN}),
    ("GET /plans?status=active", active_plans, {ACTIVE_PLAN_BY_WEEK, SESSIONS_BY_PLAN}),
    ("GET /dashboard/summary?range=7d", dashboard_7d, {SESSIONS_BY_START}),
    ("GET /dashboard/summary?range=30d", dashboard_30d, {SESSIONS_BY_START}),
]


async def check_plans(volume: Volume, name: str, use: Use, expected: set[str]) -> None:
    sessionmaker = create_sessionmaker(volume.engine)
    async with sessionmaker() as session:
        with recorded(volume.engine) as statements:
            await use(session, RecordingReads(statements), volume.user_id, volume.now)
    explains = await explained(volume.engine, statements)
    lines = [name]
    for statement, plan in zip(statements, explains, strict=True):
        lines.append("  " + " ".join(statement[0].split())[:160])
        lines += [f"    {describe(node)}" for node in nodes(plan["Plan"])]
    report = "\n".join(lines)
    logger.info("%s", report)
    every = [node for plan in explains for node in nodes(plan["Plan"])]
    sequential = [
        node
        for node in every
        if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in WATCHED
    ]
    assert not sequential, report
    assert expected <= {node.get("Index Name") for node in every}, report


@pytest.mark.parametrize(("name", "use", "expected"), CASES, ids=[case[0] for case in CASES])
async def test_each_read_reaches_plans_and_sessions_through_its_index(volume, name, use, expected):
    await check_plans(volume, name, use, expected)


async def test_a_session_is_read_for_its_patch_by_primary_keys(volume):
    page = await plans.read_sessions(
        RecordingReads([]), volume.user_id, week="all", now=volume.now, limit=1, cursor=None
    )
    session_id = page.items[0].id

    async def read_for_patch(session: AsyncSession, reads, user_id: UUID, now: datetime) -> None:
        assert await repository.get_session(session, user_id, session_id) is not None

    await check_plans(
        volume, "PATCH /sessions/{id}", read_for_patch, {"pk_study_sessions", "pk_study_plans"}
    )
