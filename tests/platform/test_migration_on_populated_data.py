"""A migration on populated data (docs/reliability.md, item 38): the planner's business-key
migration (0012) runs on over 100,000 study sessions while a writer adds 10 sessions a second.
It completes, its indexes are valid, and the writer, whose `lock_timeout` is 5 s, never gives
up on a lock: the indexes are built CONCURRENTLY, outside the migration's transaction."""

import ast
import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from planner.seed import analyze, seed
from schediora_runtime.bootstrap import bootstrap
from schediora_testkit import testing

pytestmark = pytest.mark.slow

BEFORE, MIGRATION = "0011", "0012"
MIGRATION_FILE = next(
    (Path(__file__).parents[2] / "services/planner/migrations/versions").glob(f"*_{MIGRATION}_*.py")
)
INDEXES = ("uq_study_sessions_plan_id_starts_at", "uq_study_plans_generation_id")
USERS, WEEKS = 420, 20  # 10-14 sessions a plan: about 100,800 sessions
WRITES_PER_SECOND = 10
LOCK_TIMEOUT = "5s"


@pytest.fixture(scope="module")
def database() -> str:
    """A database of its own, the planner migrated to just before the migration under test."""
    name = f"{testing.test_database_name()}_populated"
    bootstrap(testing.admin_url(), name, list(testing.SERVICES))
    testing.reset_schema("planner", name)
    testing.migrate("planner", BEFORE, url=testing.database_url("planner", name))
    return name


def _calls(tree: ast.AST, names: set[str]) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in names
    ]


def test_the_migration_builds_and_drops_indexes_concurrently_in_an_autocommit_block():
    tree = ast.parse(MIGRATION_FILE.read_text())
    blocks = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.With)
        and any(_calls(item.context_expr, {"autocommit_block"}) for item in node.items)
    ]
    index_ops = _calls(tree, {"create_index", "drop_index"})
    assert index_ops
    inside = {id(call) for block in blocks for call in _calls(block, {"create_index"})}
    for call in index_ops:
        keywords = {k.arg: k.value for k in call.keywords}
        concurrently = keywords.get("postgresql_concurrently")
        assert isinstance(concurrently, ast.Constant)
        assert concurrently.value is True
        if call.func.attr == "create_index":
            assert id(call) in inside
    # The helper that drops is itself only called inside the blocks.
    helpers = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    ]
    inside_helpers = {id(call) for block in blocks for call in ast.walk(block)}
    assert all(id(call) in inside_helpers for call in helpers if call.func.id == "_drop")


@pytest.mark.timeout(600)
async def test_the_migration_completes_on_100k_sessions_while_a_writer_never_waits_on_a_lock(
    database,
):
    url = testing.database_url("planner", database)
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            seeded = await seed(connection, users=USERS, weeks=WEEKS)
        async with engine.begin() as connection:
            await analyze(connection)
            sessions = await connection.scalar(text("SELECT count(*) FROM planner.study_sessions"))
            plan_id, user_id = (
                await connection.execute(
                    text("SELECT id, user_id FROM planner.study_plans LIMIT 1")
                )
            ).one()
        assert sessions >= 100_000, sessions

        writes: list[tuple[float, float]] = []  # (started, seconds it took)
        refused: list[str] = []
        stop = asyncio.Event()

        async def writer() -> None:
            """10 new sessions a second, each in its own transaction with a 5 s lock_timeout,
            far in the future so they overlap nothing of the user's."""
            first = datetime(2030, 1, 1, tzinfo=UTC)
            n = 0
            while not stop.is_set():
                starts = first + timedelta(hours=n)
                began = time.monotonic()
                try:
                    async with engine.begin() as connection:
                        await connection.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
                        await connection.execute(
                            text(
                                "INSERT INTO planner.study_sessions "
                                "(id, plan_id, user_id, title, starts_at, ends_at) "
                                "VALUES (:id, :plan, :user, 'Written during the migration', "
                                ":starts, :ends)"
                            ),
                            {
                                "id": uuid.uuid4(),
                                "plan": plan_id,
                                "user": user_id,
                                "starts": starts,
                                "ends": starts + timedelta(minutes=30),
                            },
                        )
                except DBAPIError as exc:  # LockNotAvailable past the lock_timeout
                    refused.append(repr(exc.orig))
                writes.append((began, time.monotonic() - began))
                n += 1
                await asyncio.sleep(max(0.0, 1 / WRITES_PER_SECOND - (time.monotonic() - began)))

        writing = asyncio.create_task(writer())
        await asyncio.sleep(1)  # the writer is going before the migration starts
        started = time.monotonic()
        # Alembic runs its own event loop: in a thread. Its connection has lock_timeout=5s.
        await asyncio.to_thread(testing.migrate, "planner", MIGRATION, url)
        finished = time.monotonic()
        await asyncio.sleep(1)
        stop.set()
        await writing

        async with engine.connect() as connection:
            version = await connection.scalar(
                text("SELECT version_num FROM planner.alembic_version")
            )
            valid = dict(
                (
                    await connection.execute(
                        text(
                            "SELECT c.relname, i.indisvalid FROM pg_index i "
                            "JOIN pg_class c ON c.oid = i.indexrelid "
                            "JOIN pg_namespace n ON n.oid = c.relnamespace "
                            "WHERE n.nspname = 'planner' AND c.relname = ANY(:names)"
                        ),
                        {"names": [*INDEXES, "ix_study_sessions_plan_id"]},
                    )
                ).all()
            )
            written = await connection.scalar(
                text(
                    "SELECT count(*) FROM planner.study_sessions WHERE plan_id = :plan "
                    "AND starts_at >= '2030-01-01'"
                ),
                {"plan": plan_id},
            )
    finally:
        await engine.dispose()

    during = [took for began, took in writes if started <= began <= finished]
    print(
        f"\nFIGURES migration {MIGRATION} on {sessions:,} sessions ({seeded.plans:,} plans): "
        f"{finished - started:.1f}s; writer {len(writes)} inserts, {len(during)} during the "
        f"migration, slowest {max(took for _, took in writes) * 1000:.0f} ms, "
        f"{len(refused)} refused by lock_timeout"
    )
    assert version == MIGRATION
    assert valid == dict.fromkeys(INDEXES, True)  # built, valid, and the plain index dropped
    assert refused == []
    assert written == len(writes)
    assert during  # the writer was writing while the migration ran
