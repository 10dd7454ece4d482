"""What a client reads of its jobs: `GET /ai/jobs/{id}`, and the API's `Job` of a job row."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from planner.errors import JobNotFound
from planner.generation import repository
from planner.generation.models import AiJob
from planner.generation.schemas import JobError, JobRead
from schediora_contracts.common import CoverageWarning, FeedbackReport


async def get_or_404(session: AsyncSession, user_id: UUID, job_id: UUID) -> AiJob:
    job = await repository.get(session, user_id, job_id)
    if job is None:
        raise JobNotFound("No such job.")
    return job


def read(job: AiJob) -> JobRead:
    error = None
    if job.error_code is not None:
        error = JobError(code=job.error_code, message=job.error_message or job.error_code)
    return JobRead(
        id=job.id,
        kind=job.kind,  # type: ignore[arg-type]
        status=job.status,  # type: ignore[arg-type]
        week_start=job.week_start,
        plan_id=job.plan_id,
        error=error,
        feedback=FeedbackReport.model_validate(job.feedback) if job.feedback else None,
        warnings=[CoverageWarning.model_validate(warning) for warning in job.warnings],
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )
