"""LLM tokens spent per user per UTC day (the daily token budget)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "token_usage",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("tokens", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("tokens >= 0", name=op.f("ck_token_usage_tokens")),
        sa.PrimaryKeyConstraint("user_id", "day", name=op.f("pk_token_usage")),
        schema="ai",
    )


def downgrade() -> None:
    op.drop_table("token_usage", schema="ai")
