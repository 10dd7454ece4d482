"""`/api/v1/dashboard`: the student's progress over 7 or 30 days (docs/api.md: Dashboard)."""

from fastapi import APIRouter

from planner.dashboard import service
from planner.dashboard.domain import Range
from planner.dashboard.schemas import DashboardSummary
from planner.deps import CurrentUser, Now, ReadsDep
from schediora_runtime.lean_routes import LeanRoute
from schediora_runtime.problems import documented_problems

router = APIRouter(prefix="/api/v1/dashboard", tags=["dashboard"], route_class=LeanRoute)


@router.get("/summary", responses=documented_problems(401, 422))
async def summary(
    user_id: CurrentUser, reads: ReadsDep, now: Now, range: Range = "7d"
) -> DashboardSummary:
    """Planned and completed minutes, sessions by status, the streak, and totals by local day
    and by subject, over the last 7 or 30 days ending today in the user's time zone."""
    return await service.summary(reads, user_id, range, now)
