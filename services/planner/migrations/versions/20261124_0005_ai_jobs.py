"""ai jobs: one row per generate or reschedule request, with the weekly window as a partial
unique index (one queued or running job per user and week)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 01:07:18.624480
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ai_jobs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=9), server_default="queued", nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=True),
        sa.Column("previous_plan_id", sa.Uuid(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(status = 'completed') = (plan_id IS NOT NULL)", name=op.f("ck_ai_jobs_plan_id")
        ),
        sa.CheckConstraint(
            "(status = 'failed') = (error_code IS NOT NULL)", name=op.f("ck_ai_jobs_error_code")
        ),
        sa.CheckConstraint(
            "(status IN ('completed', 'failed')) = (finished_at IS NOT NULL)",
            name=op.f("ck_ai_jobs_finished_at"),
        ),
        sa.CheckConstraint("kind IN ('generate', 'reschedule')", name=op.f("ck_ai_jobs_kind")),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'completed', 'failed')", name=op.f("ck_ai_jobs_status")
        ),
        sa.CheckConstraint("char_length(notes) <= 1000", name=op.f("ck_ai_jobs_notes_length")),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["planner.study_plans.id"],
            name=op.f("fk_ai_jobs_plan_id_study_plans"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["previous_plan_id"],
            ["planner.study_plans.id"],
            name=op.f("fk_ai_jobs_previous_plan_id_study_plans"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["planner.users.id"],
            name=op.f("fk_ai_jobs_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ai_jobs")),
        schema="planner",
    )
    op.create_index(
        "ix_ai_jobs_deadline_at_in_flight",
        "ai_jobs",
        ["deadline_at"],
        unique=False,
        schema="planner",
        postgresql_where=sa.text("status IN ('queued', 'running')"),
    )
    op.create_index(
        "ix_ai_jobs_user_id_week_start_created_at",
        "ai_jobs",
        ["user_id", "week_start", "created_at"],
        unique=False,
        schema="planner",
    )
    op.create_index(
        "uq_ai_jobs_user_id_idempotency_key",
        "ai_jobs",
        ["user_id", "idempotency_key"],
        unique=True,
        schema="planner",
        postgresql_where=sa.text("idempotency_key IS NOT NULL"),
    )
    op.create_index(
        "uq_ai_jobs_user_id_week_start_in_flight",
        "ai_jobs",
        ["user_id", "week_start"],
        unique=True,
        schema="planner",
        postgresql_where=sa.text("status IN ('queued', 'running')"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_ai_jobs_user_id_week_start_in_flight",
        table_name="ai_jobs",
        schema="planner",
        postgresql_where=sa.text("status IN ('queued', 'running')"),
    )
    op.drop_index(
        "uq_ai_jobs_user_id_idempotency_key",
        table_name="ai_jobs",
        schema="planner",
        postgresql_where=sa.text("idempotency_key IS NOT NULL"),
    )
    op.drop_index(
        "ix_ai_jobs_user_id_week_start_created_at", table_name="ai_jobs", schema="planner"
    )
    op.drop_index(
        "ix_ai_jobs_deadline_at_in_flight",
        table_name="ai_jobs",
        schema="planner",
        postgresql_where=sa.text("status IN ('queued', 'running')"),
    )
    op.drop_table("ai_jobs", schema="planner")
