"""ai jobs: the feedback report of a completed reschedule (what the generator understood,
applied and could not meet)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 08:01:36.117095
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable, no default: adding it rewrites nothing; jobs without feedback say null.
    op.add_column(
        "ai_jobs",
        sa.Column("feedback", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        schema="planner",
    )


def downgrade() -> None:
    op.drop_column("ai_jobs", "feedback", schema="planner")
