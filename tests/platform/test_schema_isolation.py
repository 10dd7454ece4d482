"""Each service's role sees only its own schema (docs/architecture.md: Data ownership)."""

import psycopg
import pytest
from psycopg import errors

from schediora_testkit import testing


def _connect(service):
    return psycopg.connect(testing.libpq_url(testing.database_url(service)), autocommit=True)


@pytest.mark.parametrize(
    ("service", "foreign"),
    [("planner", "ai"), ("planner", "auth"), ("ai", "planner"), ("auth", "planner")],
)
def test_a_service_role_is_denied_another_services_schema(test_database, service, foreign):
    with _connect(service) as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute(f"SELECT count(*) FROM {foreign}.outbox")


@pytest.mark.parametrize("service", testing.SERVICES)
def test_a_service_role_cannot_create_tables_in_public(test_database, service):
    with _connect(service) as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute("CREATE TABLE public.smuggled (id int)")


@pytest.mark.parametrize("service", testing.SERVICES)
def test_a_service_role_search_path_is_pinned_to_its_schema(test_database, service):
    with _connect(service) as conn:
        assert conn.execute("SHOW search_path").fetchone()[0] == service
        assert conn.execute("SELECT count(*) FROM outbox").fetchone()[0] >= 0
