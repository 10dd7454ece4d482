"""Creates the database, and per service a login role that owns one schema and nothing else.

Run as a PostgreSQL superuser (`DATABASE_ADMIN_URL`), idempotently, before any migration:
    python -m schediora_runtime.bootstrap --database schediora auth planner ai
A role's password is taken from `<SERVICE>_DATABASE_PASSWORD` when set (docker-compose);
local development uses trust authentication and needs none.
"""

import argparse
import os
import sys

import psycopg
from psycopg import sql

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
EXTENSIONS: dict[str, tuple[str, ...]] = {
    # Created by the superuser here because a service role may not create extensions.
    "planner": ("btree_gist",),
}


def role_name(service: str) -> str:
    return f"schediora_{service}"


def ensure_database(admin_url: str, database: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (database,)
        ).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))


def ensure_service(conn: psycopg.Connection, database: str, service: str) -> None:
    role = sql.Identifier(role_name(service))
    schema = sql.Identifier(service)
    password = os.environ.get(f"{service.upper()}_DATABASE_PASSWORD")
    exists = conn.execute(
        "SELECT 1 FROM pg_roles WHERE rolname = %s", (role_name(service),)
    ).fetchone()
    if not exists:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(role))
    if password:
        conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(role, sql.Literal(password)))
    conn.execute(
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), role)
    )
    conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {} AUTHORIZATION {}").format(schema, role))
    conn.execute(sql.SQL("ALTER SCHEMA {} OWNER TO {}").format(schema, role))
    conn.execute(
        sql.SQL("ALTER ROLE {} IN DATABASE {} SET search_path = {}").format(
            role, sql.Identifier(database), schema
        )
    )
    for extension in EXTENSIONS.get(service, ()):
        conn.execute(
            sql.SQL("CREATE EXTENSION IF NOT EXISTS {} WITH SCHEMA public").format(
                sql.Identifier(extension)
            )
        )


def bootstrap(admin_url: str, database: str, services: list[str]) -> None:
    ensure_database(admin_url, database)
    database_url = psycopg.conninfo.make_conninfo(admin_url, dbname=database)
    with psycopg.connect(database_url, autocommit=True) as conn:
        # No service may create objects outside its own schema.
        conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        for service in services:
            ensure_service(conn, database, service)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=os.environ.get("DATABASE_NAME", "schediora"))
    parser.add_argument("--admin-url", default=os.environ.get("DATABASE_ADMIN_URL", ADMIN_URL))
    parser.add_argument("services", nargs="+")
    args = parser.parse_args(argv)
    try:
        bootstrap(args.admin_url, args.database, args.services)
    except psycopg.OperationalError as exc:
        print(f"cannot reach PostgreSQL at {args.admin_url}: {exc}", file=sys.stderr)
        return 1
    print(f"database {args.database!r} ready for {', '.join(args.services)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
