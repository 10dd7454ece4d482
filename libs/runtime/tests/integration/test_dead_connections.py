"""Connections the server closed while they sat in a pool: no pre-ping round trip finds them,
yet no request fails because of one. A read whose connection dies is retried once."""

import psycopg
import pytest
from sqlalchemy import text

from schediora_runtime.database import connection_options, create_engine
from schediora_runtime.liveness import server_closed
from schediora_runtime.reads import Reads
from schediora_runtime.settings import ServiceSettings
from schediora_testkit import testing


def _admin() -> psycopg.Connection:
    return psycopg.connect(testing.libpq_url(testing.database_url()), autocommit=True)


async def _terminate(application_name: str) -> int:
    """Terminate every backend of `application_name`, as a server restart would, and wait
    until they are gone."""
    with _admin() as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            (application_name,),
        ).fetchall()

    async def gone() -> bool:
        with _admin() as admin:
            query = "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s"
            return admin.execute(query, (application_name,)).fetchone()[0] == 0

    await testing.eventually(gone)
    return len(rows)


def _reads(name: str, *, check: bool) -> Reads:
    return Reads(
        testing.libpq_url(testing.database_url("auth")),
        size=2,
        options="-c search_path=auth",
        application_name=name,
        check=check,
    )


async def _backend_pid(connection: psycopg.AsyncConnection) -> int:
    return (await (await connection.execute("SELECT pg_backend_pid()")).fetchone())[0]


@pytest.mark.parametrize("check", [True, False], ids=["found-on-checkout", "retried-once"])
async def test_a_read_survives_its_pooled_connection_being_terminated(test_database, check):
    name = testing.unique_name("reads")
    reads = _reads(name, check=check)
    await reads.open()
    try:
        before = await reads.run(_backend_pid)
        assert await _terminate(name) >= 1

        after = await reads.run(_backend_pid)

        assert after != before
    finally:
        await reads.close()


async def test_a_statement_timeout_is_not_retried(test_database):
    name = testing.unique_name("reads")
    reads = _reads(name, check=True)
    await reads.open()
    calls = 0

    async def slow(connection: psycopg.AsyncConnection) -> None:
        nonlocal calls
        calls += 1
        await connection.execute("SET statement_timeout = 1")
        await connection.execute("SELECT pg_sleep(1)")

    try:
        with pytest.raises(psycopg.errors.QueryCanceled):
            await reads.run(slow)
        assert calls == 1
    finally:
        await reads.close()


async def test_an_idle_connection_the_server_closed_is_seen_without_a_query(test_database):
    name = testing.unique_name("idle")
    url = testing.libpq_url(testing.database_url("auth"))
    async with await psycopg.AsyncConnection.connect(url, application_name=name) as connection:
        assert not server_closed(connection)
        await _terminate(name)
        assert server_closed(connection)


async def test_the_engine_replaces_a_terminated_connection_on_checkout(test_database):
    name = testing.unique_name("engine")
    settings = ServiceSettings(
        service_name=name,
        port=9999,
        database_url=testing.database_url("auth"),
        database_schema="auth",
        database_pool_size=1,
    )
    assert "search_path=auth" in connection_options(settings)
    engine = create_engine(settings)
    try:
        async with engine.connect() as connection:
            before = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar()
        await _terminate(name)

        async with engine.connect() as connection:
            after = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar()

        assert after != before
    finally:
        await engine.dispose()
