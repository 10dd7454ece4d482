"""feedback adjustments: the structured wishes (the app's chips) stored with a rating

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 08:02:26.638978
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable, no default: adding it rewrites nothing; older feedback has no adjustments.
    op.add_column(
        "feedback",
        sa.Column("adjustments", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        schema="ai",
    )


def downgrade() -> None:
    op.drop_column("feedback", "adjustments", schema="ai")
