"""generation provenance

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable, no default: adding it rewrites nothing, and older rows say "not recorded".
    op.add_column(
        "generations",
        sa.Column("provenance", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        schema="ai",
    )


def downgrade() -> None:
    op.drop_column("generations", "provenance", schema="ai")
