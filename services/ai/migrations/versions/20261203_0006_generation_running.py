"""a generation is recorded as running before its plan is made, and says when it finished

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 13:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "generations",
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        schema="ai",
    )
    # Every generation stored so far was made and stored in one transaction.
    op.execute("UPDATE ai.generations SET finished_at = created_at")
    op.drop_constraint(op.f("ck_generations_status"), "generations", schema="ai", type_="check")
    op.create_check_constraint(
        op.f("ck_generations_status"),
        "generations",
        "status IN ('running', 'completed', 'failed')",
        schema="ai",
    )
    op.create_check_constraint(
        op.f("ck_generations_finished_at"),
        "generations",
        "(status = 'running') = (finished_at IS NULL)",
        schema="ai",
    )


def downgrade() -> None:
    op.execute("DELETE FROM ai.generations WHERE status = 'running'")
    op.drop_constraint(
        op.f("ck_generations_finished_at"), "generations", schema="ai", type_="check"
    )
    op.drop_constraint(op.f("ck_generations_status"), "generations", schema="ai", type_="check")
    op.create_check_constraint(
        op.f("ck_generations_status"),
        "generations",
        "status IN ('completed', 'failed')",
        schema="ai",
    )
    op.drop_column("generations", "finished_at", schema="ai")
