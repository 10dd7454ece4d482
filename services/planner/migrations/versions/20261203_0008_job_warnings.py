"""job warnings: the exams a completed job's plan cannot fully cover

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 13:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Jobs completed before this revision had no warnings to keep: `[]`.
    op.add_column(
        "ai_jobs",
        sa.Column(
            "warnings",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        schema="planner",
    )


def downgrade() -> None:
    op.drop_column("ai_jobs", "warnings", schema="planner")
