"""`GET /ai/plans/status/weekly`: whether a plan can be asked for a week, and why not."""

from datetime import date, datetime, timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from planner.errors import InvalidInput
from planner.generation import repository
from planner.generation.domain import GENERATION_IN_PROGRESS, IN_FLIGHT, WEEKLY_PLAN_EXISTS
from planner.generation.schemas import WeeklyStatus
from planner.generation.service.views import read
from planner.plans import service as plans
from planner.users import service as users
from planner.users.domain import WEEK


async def weekly_status(
    session: AsyncSession, user_id: UUID, now: datetime, week_start: date | None
) -> WeeklyStatus:
    """The week (default: the current one) is open unless it has an active plan or a job in
    flight; its latest job either way."""
    calendar = await users.calendar(session, user_id)
    current_week = calendar.current_week(now)
    week = week_start or current_week
    if week not in (current_week, current_week + WEEK):
        raise InvalidInput(["query", "week_start"], "Only the current week or the next one.")
    plan = await plans.active_for_week(session, user_id, week)
    latest = await repository.latest(session, user_id, week)
    reason = None
    if plan is not None:
        reason = WEEKLY_PLAN_EXISTS
    elif latest is not None and latest.status in IN_FLIGHT:
        reason = GENERATION_IN_PROGRESS
    return WeeklyStatus(
        week_start=week,
        week_end=week + WEEK - timedelta(days=1),
        can_generate=reason is None,
        reason=reason,
        current_plan_id=plan.id if plan else None,
        latest_job=read(latest) if latest else None,
    )
