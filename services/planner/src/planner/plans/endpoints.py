"""`/api/v1/plans` and `/api/v1/sessions`: the user's weekly plans and their study sessions
(docs/api.md: Plans and sessions)."""

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request

from planner.deps import CurrentUser, Now, ReadsDep, SessionDep
from planner.plans import service
from planner.plans.domain import MAX_RANGE_DAYS
from planner.plans.schemas import (
    PlanCreate,
    PlanPage,
    PlanRead,
    PlanWithSessions,
    SessionInput,
    SessionPage,
    SessionRead,
    SessionUpdate,
)
from schediora_runtime.database import unit_of_work
from schediora_runtime.lean_routes import LeanRoute
from schediora_runtime.links import documented_links, link
from schediora_runtime.pagination import DEFAULT_LIMIT, Cursor, Limit
from schediora_runtime.problems import documented_problems

plans_router = APIRouter(prefix="/api/v1/plans", tags=["plans"], route_class=LeanRoute)
sessions_router = APIRouter(prefix="/api/v1/sessions", tags=["sessions"], route_class=LeanRoute)


@plans_router.get("", responses=documented_problems(401, 422))
async def list_plans(
    user_id: CurrentUser,
    session: SessionDep,
    status: Literal["active", "superseded"] | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> PlanPage:
    """The user's plans, newest week first, a page at a time."""
    plans, next_cursor = await service.list(
        session, user_id, status=status, limit=limit, cursor=cursor
    )
    return PlanPage(items=[PlanRead.model_validate(p) for p in plans], next_cursor=next_cursor)


@plans_router.post(
    "",
    status_code=201,
    responses=documented_problems(401, 409, 422)
    | documented_links(
        201, get_plan=link("GET", "/api/v1/plans/{plan_id}", plan_id="$response.body#/id")
    ),
)
async def create_plan(
    user_id: CurrentUser, session: SessionDep, now: Now, body: PlanCreate
) -> PlanWithSessions:
    """Make a plan for a week (default: the current one); one active plan per week."""
    return PlanWithSessions.model_validate(await service.create(session, user_id, body, now))


@plans_router.get("/current", responses=documented_problems(401, 404))
async def get_current_plan(user_id: CurrentUser, reads: ReadsDep, now: Now) -> PlanWithSessions:
    """The active plan whose week contains today in the user's time zone."""
    return await service.read_current(reads, user_id, now)


@plans_router.post(
    "/current/sessions",
    status_code=201,
    responses=documented_problems(401, 404, 409, 422)
    | documented_links(
        201,
        update_session=link(
            "PATCH", "/api/v1/sessions/{session_id}", session_id="$response.body#/id"
        ),
    ),
)
async def add_session(
    user_id: CurrentUser, session: SessionDep, now: Now, body: SessionInput
) -> SessionRead:
    """Add a session to the current plan, inside its week and overlapping none of yours."""
    return SessionRead.model_validate(await service.add_session(session, user_id, body, now))


@plans_router.get("/{plan_id}", responses=documented_problems(401, 404, 422))
async def get_plan(user_id: CurrentUser, session: SessionDep, plan_id: UUID) -> PlanWithSessions:
    """One plan with all its sessions, a superseded plan's too."""
    return PlanWithSessions.model_validate(await service.get_or_404(session, user_id, plan_id))


@sessions_router.get("", responses=documented_problems(401, 422))
async def list_sessions(
    user_id: CurrentUser,
    reads: ReadsDep,
    now: Now,
    week: Literal["current", "all"] | None = None,
    from_: Annotated[
        date | None,
        Query(alias="from", description="First local day (inclusive); needs `to`, not `week`."),
    ] = None,
    to: Annotated[
        date | None,
        Query(description=f"Last local day (inclusive), at most {MAX_RANGE_DAYS} days in all."),
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> SessionPage:
    """Sessions of the user's active plans by start time: this week's (the default), all, or
    those starting on the local days `from`..`to`."""
    days = service.day_range(week, from_, to)
    return await service.read_sessions(
        reads, user_id, week=week or "current", days=days, now=now, limit=limit, cursor=cursor
    )


@sessions_router.patch("/{session_id}", responses=documented_problems(401, 404, 409, 422))
async def update_session(
    user_id: CurrentUser,
    reads: ReadsDep,
    request: Request,
    now: Now,
    session_id: UUID,
    body: SessionUpdate,
) -> SessionRead:
    """Change the fields sent; status changes follow the documented transitions."""
    updated = await service.update_session_row(reads, user_id, session_id, body, now)
    if updated is not None:
        return updated
    async with unit_of_work(request.app.state.runtime.sessionmaker) as session:
        return SessionRead.model_validate(
            await service.update_session(session, user_id, session_id, body, now)
        )
