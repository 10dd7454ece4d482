"""token reservations: a generation that may ask the LLM holds the most its answers may cost
from the user's day until its outcome is stored

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "token_usage",
        sa.Column("reserved", sa.BigInteger(), server_default="0", nullable=False),
        schema="ai",
    )
    op.create_check_constraint(
        op.f("ck_token_usage_reserved"), "token_usage", "reserved >= 0", schema="ai"
    )
    op.add_column(
        "generations", sa.Column("llm_tokens_reserved", sa.Integer(), nullable=True), schema="ai"
    )


def downgrade() -> None:
    op.drop_column("generations", "llm_tokens_reserved", schema="ai")
    op.drop_constraint(op.f("ck_token_usage_reserved"), "token_usage", schema="ai")
    op.drop_column("token_usage", "reserved", schema="ai")
