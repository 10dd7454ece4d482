"""legacy dashboard_daily_metrics

The table of the first Schediora prototype's nightly dashboard job. The dashboard is now
computed live from `study_sessions` (docs/api.md: Dashboard): nothing writes or reads this table, no
model maps it, and the migrations keep it only so that data already in it is not dropped.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 01:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dashboard_daily_metrics",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("planned_minutes", sa.Integer(), server_default="0", nullable=False),
        sa.Column("completed_minutes", sa.Integer(), server_default="0", nullable=False),
        sa.Column("sessions_completed", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["planner.users.id"],
            name=op.f("fk_dashboard_daily_metrics_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "day", name=op.f("pk_dashboard_daily_metrics")),
        schema="planner",
    )


def downgrade() -> None:
    op.drop_table("dashboard_daily_metrics", schema="planner")
