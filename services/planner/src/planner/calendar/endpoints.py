"""`/api/v1/calendar`: the subscribable iCal feed of the user's plan and their busy times
(docs/api.md: Calendar)."""

from datetime import UTC, date
from email.utils import format_datetime
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request, Response

from planner.calendar import service
from planner.calendar.domain import (
    DEFAULT_ALARM_MINUTES,
    MAX_ALARM_MINUTES,
    parse_alarm,
)
from planner.calendar.schemas import BusyList, BusySummary, Feed
from planner.deps import CurrentUser, Now, ReadsDep, SessionDep
from planner.errors import InvalidInput, UnsupportedMediaType
from planner.plans import service as plans
from schediora_runtime.lean_routes import LeanRoute
from schediora_runtime.problems import documented_problems

router = APIRouter(prefix="/api/v1/calendar", tags=["calendar"], route_class=LeanRoute)

CALENDAR_MEDIA_TYPE = "text/calendar"
FEED_CACHE_CONTROL = "private, max-age=0, must-revalidate"
Day = Annotated[date | None, Query(description="A local day, YYYY-MM-DD.")]


@router.post("/feed", status_code=201, responses=documented_problems(401))
async def create_feed(
    user_id: CurrentUser, session: SessionDep, now: Now, request: Request
) -> Feed:
    """Make the secret URL of your feed, or rotate it: the previous URL stops working."""
    base_url = request.app.state.settings.app_base_url
    return await service.create_feed(session, user_id, now=now, base_url=base_url)


@router.get("/feed", responses=documented_problems(401, 404))
async def get_feed(user_id: CurrentUser, session: SessionDep) -> Feed:
    """Whether you have a feed and since when (the URL itself is shown only when made)."""
    return await service.get_feed(session, user_id)


@router.delete("/feed", status_code=204, responses=documented_problems(401, 404))
async def delete_feed(user_id: CurrentUser, session: SessionDep) -> None:
    """Revoke your feed: its URL stops working."""
    await service.delete_feed(session, user_id)


@router.get(
    "/feed/{token}.ics",
    response_class=Response,
    responses={
        200: {
            "description": "The feed, RFC 5545",
            "content": {CALENDAR_MEDIA_TYPE: {"schema": {"type": "string"}}},
        },
        304: {"description": "Not modified: the `If-None-Match` tag is current"},
    }
    | documented_problems(404, 422),
)
async def read_feed(
    token: Annotated[str, Path(max_length=128)],
    reads: ReadsDep,
    now: Now,
    alarm: Annotated[
        str,
        Query(
            description=f"Minutes before a planned session for its reminder, 0 to "
            f"{MAX_ALARM_MINUTES}, or `none`.",
            max_length=8,
        ),
    ] = str(DEFAULT_ALARM_MINUTES),
    if_none_match: Annotated[str | None, Header(max_length=1024)] = None,
) -> Response:
    """The feed itself, for calendar apps: no Authorization, the token is the secret."""
    try:
        alarm_minutes = parse_alarm(alarm)
    except ValueError as exc:
        raise InvalidInput(["query", "alarm"], str(exc)) from None
    document = await service.read_feed(
        reads, token, alarm_minutes=alarm_minutes, now=now, if_none_match=if_none_match
    )
    headers = {
        "ETag": document.etag,
        "Last-Modified": format_datetime(document.last_modified.astimezone(UTC), usegmt=True),
        "Cache-Control": FEED_CACHE_CONTROL,
    }
    if document.body is None:
        return Response(status_code=304, headers=headers)
    return Response(
        document.body, media_type=f"{CALENDAR_MEDIA_TYPE}; charset=utf-8", headers=headers
    )


@router.put(
    "/busy",
    responses=documented_problems(401, 415, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {CALENDAR_MEDIA_TYPE: {"schema": {"type": "string"}}},
        }
    },
)
async def put_busy(
    user_id: CurrentUser, session: SessionDep, now: Now, request: Request
) -> BusySummary:
    """Upload your timetable (an `.ics` export) as busy time: it replaces the previous one."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != CALENDAR_MEDIA_TYPE:
        raise UnsupportedMediaType(f"Send the timetable as {CALENDAR_MEDIA_TYPE}.")
    return await service.put_busy(session, user_id, await request.body(), now=now)


@router.get("/busy", responses=documented_problems(401, 422))
async def list_busy(
    user_id: CurrentUser,
    session: SessionDep,
    now: Now,
    from_: Annotated[Day, Query(alias="from")] = None,
    to: Day = None,
) -> BusyList:
    """Busy occurrences that overlap the local days `from`..`to` (default: the current week)."""
    days = plans.day_range(None, from_, to)
    return await service.list_busy(session, user_id, days, now=now)


@router.delete("/busy", status_code=204, responses=documented_problems(401))
async def delete_busy(user_id: CurrentUser, session: SessionDep) -> None:
    """Forget your timetable: plans no longer keep clear of it."""
    await service.delete_busy(session, user_id)
