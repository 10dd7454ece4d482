"""business keys: one plan per generation, one session per plan and start

A plan made by a generation and the sessions it holds can each be stored once, whatever path
writes them: a duplicate PlanGenerated that got past the inbox (its id forgotten after the
retention, or a bug) raises IntegrityError instead of storing a second plan or session. The
session key also serves every read of a plan's sessions in start order, so it replaces the
plain index on plan_id.

The indexes are built CONCURRENTLY, outside the migration's transaction (autocommit_block), so
writers to the tables are never blocked while they build; each is dropped first if a failed
earlier run left it behind invalid.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "planner"
SESSION_KEY = "uq_study_sessions_plan_id_starts_at"
PLAN_KEY = "uq_study_plans_generation_id"
SESSIONS_BY_PLAN = "ix_study_sessions_plan_id"


def _drop(name: str, table: str) -> None:
    op.drop_index(
        name, table_name=table, schema=SCHEMA, postgresql_concurrently=True, if_exists=True
    )


def upgrade() -> None:
    with op.get_context().autocommit_block():
        _drop(SESSION_KEY, "study_sessions")
        op.create_index(
            SESSION_KEY,
            "study_sessions",
            ["plan_id", "starts_at"],
            unique=True,
            schema=SCHEMA,
            postgresql_concurrently=True,
        )
        _drop(SESSIONS_BY_PLAN, "study_sessions")
        _drop(PLAN_KEY, "study_plans")
        op.create_index(
            PLAN_KEY,
            "study_plans",
            ["generation_id"],
            unique=True,
            schema=SCHEMA,
            postgresql_concurrently=True,
            postgresql_where=sa.text("generation_id IS NOT NULL"),
        )


def downgrade() -> None:
    with op.get_context().autocommit_block():
        _drop(PLAN_KEY, "study_plans")
        _drop(SESSIONS_BY_PLAN, "study_sessions")
        op.create_index(
            SESSIONS_BY_PLAN,
            "study_sessions",
            ["plan_id"],
            unique=False,
            schema=SCHEMA,
            postgresql_concurrently=True,
        )
        _drop(SESSION_KEY, "study_sessions")
