"""job changes notify listeners: `NOTIFY planner_job_changes, '<job id>'` at commit

Every update or deletion of an AI job row (the consumer applying Started / Generated / Failed,
the deadline worker, an erased account) notifies the channel in the writing transaction;
PostgreSQL delivers it when that transaction commits, to every planner process's `LISTEN`
connection, which wakes the `GET /ai/jobs/{id}/events` streams waiting on that job.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 16:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION planner.notify_job_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('planner_job_changes', OLD.id::text);
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER ai_jobs_notify_change
        AFTER UPDATE OR DELETE ON planner.ai_jobs
        FOR EACH ROW EXECUTE FUNCTION planner.notify_job_change()
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER ai_jobs_notify_change ON planner.ai_jobs")
    op.execute("DROP FUNCTION planner.notify_job_change()")
