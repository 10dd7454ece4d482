"""generations and feedback

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 01:11:30.385976
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "generations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=9), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("model", sa.String(length=120), nullable=True),
        sa.Column("previous_generation_id", sa.Uuid(), nullable=True),
        sa.Column("request", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "sessions", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
        sa.Column(
            "quality", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(status = 'failed') = (error_code IS NOT NULL)", name=op.f("ck_generations_error_code")
        ),
        sa.CheckConstraint("kind IN ('generate', 'reschedule')", name=op.f("ck_generations_kind")),
        sa.CheckConstraint("status IN ('completed', 'failed')", name=op.f("ck_generations_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_generations")),
        schema="ai",
    )
    op.create_index(
        "ix_generations_user_id_created_at",
        "generations",
        ["user_id", "created_at"],
        unique=False,
        schema="ai",
    )
    op.create_table(
        "feedback",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("generation_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("comments", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "char_length(comments) <= 2000", name=op.f("ck_feedback_comments_length")
        ),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_feedback_rating")),
        sa.ForeignKeyConstraint(
            ["generation_id"],
            ["ai.generations.id"],
            name=op.f("fk_feedback_generation_id_generations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
        schema="ai",
    )
    op.create_index(
        "ix_feedback_user_id_created_at",
        "feedback",
        ["user_id", "created_at"],
        unique=False,
        schema="ai",
    )
    op.create_index(
        "uq_feedback_generation_id", "feedback", ["generation_id"], unique=True, schema="ai"
    )


def downgrade() -> None:
    op.drop_index("uq_feedback_generation_id", table_name="feedback", schema="ai")
    op.drop_index("ix_feedback_user_id_created_at", table_name="feedback", schema="ai")
    op.drop_table("feedback", schema="ai")
    op.drop_index("ix_generations_user_id_created_at", table_name="generations", schema="ai")
    op.drop_table("generations", schema="ai")
