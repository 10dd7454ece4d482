"""Use cases of plans and sessions. Every one is scoped by the authenticated user's id, and
takes the request's clock as `now` so that "today" is the caller's to fix."""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from psycopg import AsyncConnection
from sqlalchemy.ext.asyncio import AsyncSession

from planner.errors import (
    InvalidDateRange,
    InvalidInput,
    InvalidTransition,
    NoCurrentPlan,
    PlanExists,
    PlanNotFound,
    SessionIsHistory,
    SessionLimitReached,
    SessionNotFound,
    SessionOverlap,
    SubjectNotFound,
)
from planner.plans import repository
from planner.plans.domain import (
    MAX_RANGE_DAYS,
    SessionsOverlap,
    WeekTaken,
    can_transition,
    is_kept,
    minutes_between,
    status_fields,
)
from planner.plans.models import StudyPlan, StudySession
from planner.plans.schemas import (
    PlanCreate,
    PlanWithSessions,
    SessionInput,
    SessionPage,
    SessionRead,
    SessionUpdate,
    check_range,
)
from planner.subjects import service as subjects
from planner.users import service as users
from planner.users.domain import DAY, WEEK
from schediora_contracts.common import PlannedSession
from schediora_contracts.limits import SESSIONS_PER_PLAN_MAX
from schediora_runtime.pagination import Position, page
from schediora_runtime.reads import Reads

OVERLAP = "The session overlaps another of your sessions."


async def get_or_404(session: AsyncSession, user_id: UUID, plan_id: UUID) -> StudyPlan:
    plan = await repository.get_plan(session, user_id, plan_id, with_sessions=True)
    if plan is None:
        raise PlanNotFound("No such plan.")
    return plan


async def current(session: AsyncSession, user_id: UUID, now: datetime) -> StudyPlan:
    """The active plan whose week contains today in the user's time zone."""
    today = (await users.calendar(session, user_id)).today(now)
    plan = await repository.current_plan(session, user_id, today)
    if plan is None:
        raise NoCurrentPlan("There is no active plan for the current week.")
    return plan


async def read_current(reads: Reads, user_id: UUID, now: datetime) -> PlanWithSessions:
    """`current` for the API, read without a transaction: calendar, then plan and sessions."""

    async def read(connection: AsyncConnection) -> PlanWithSessions:
        today = (await users.read_calendar(connection, user_id)).today(now)
        found = await repository.read_current_plan(connection, user_id, today)
        if found is None:
            raise NoCurrentPlan("There is no active plan for the current week.")
        plan, rows = found
        sessions = [_session_read(row) for row in rows]
        return PlanWithSessions(
            **plan,
            week_end=plan["week_start"] + WEEK - DAY,
            session_count=len(sessions),
            total_minutes=sum(item.duration_minutes for item in sessions),
            sessions=sessions,
        )

    return await reads.run(read)


def day_range(week: str | None, first: date | None, last: date | None) -> tuple[date, date] | None:
    """The local days `from`..`to` a session list asks for, or None for a `week` list; a
    range that is incomplete, reversed, longer than `MAX_RANGE_DAYS` or sent with `week` is
    `422 invalid_date_range`."""
    if first is None and last is None:
        return None
    if week is not None:
        raise InvalidDateRange(["query", "week"], "Send either week or from and to, not both.")
    if first is None or last is None:
        missing = "from" if first is None else "to"
        raise InvalidDateRange(["query", missing], "from and to go together.")
    if last < first:
        raise InvalidDateRange(["query", "to"], "to is before from.")
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise InvalidDateRange(["query", "to"], f"At most {MAX_RANGE_DAYS} days at once.")
    return first, last


async def read_sessions(
    reads: Reads,
    user_id: UUID,
    *,
    week: Literal["current", "all"],
    now: datetime,
    days: tuple[date, date] | None = None,
    limit: int,
    cursor: str | None,
) -> SessionPage:
    """`list_sessions` for the API, read without a transaction."""

    async def fetch(after: Position | None, n: int) -> Sequence[dict[str, Any]]:
        async def read(connection: AsyncConnection) -> Sequence[dict[str, Any]]:
            between = None
            if days is not None:
                between = (await users.read_calendar(connection, user_id)).days(*days)
            elif week == "current":
                user_calendar = await users.read_calendar(connection, user_id)
                between = user_calendar.window(user_calendar.current_week(now))
            return await repository.read_sessions(
                connection, user_id, between=between, limit=n, after=after
            )

        return await reads.run(read)

    rows, next_cursor = await page(
        fetch,
        limit=limit,
        cursor=cursor,
        position=lambda row: Position(row["starts_at"], row["id"]),
    )
    return SessionPage(items=[_session_read(row) for row in rows], next_cursor=next_cursor)


def _session_read(row: dict[str, Any]) -> SessionRead:
    duration = minutes_between(row["starts_at"], row["ends_at"])
    return SessionRead.model_validate(row | {"duration_minutes": duration})


async def active_for_week(
    session: AsyncSession, user_id: UUID, week_start: date
) -> StudyPlan | None:
    """The week's active plan, if it has one."""
    return await repository.active_plan_for_week(session, user_id, week_start)


async def current_or_none(session: AsyncSession, user_id: UUID, today: date) -> StudyPlan | None:
    """The active plan whose week contains `today`, with its sessions."""
    return await repository.current_plan(session, user_id, today)


async def list(
    session: AsyncSession, user_id: UUID, *, status: str | None, limit: int, cursor: str | None
) -> tuple[Sequence[StudyPlan], str | None]:
    """One page of the user's plans, newest week first, and the cursor of the next page."""
    return await page(
        lambda after, n: repository.list_plans(
            session, user_id, status=status, limit=n, after=after
        ),
        limit=limit,
        cursor=cursor,
        position=lambda plan: Position(repository.week_key(plan.week_start), plan.id),
    )


async def list_sessions(
    session: AsyncSession,
    user_id: UUID,
    *,
    week: Literal["current", "all"],
    now: datetime,
    limit: int,
    cursor: str | None,
) -> tuple[Sequence[StudySession], str | None]:
    """One page of the sessions of the user's active plans by start, this week's or all."""
    between = None
    if week == "current":
        user_calendar = await users.calendar(session, user_id)
        between = user_calendar.window(user_calendar.current_week(now))
    return await page(
        lambda after, n: repository.list_sessions(
            session, user_id, between=between, limit=n, after=after
        ),
        limit=limit,
        cursor=cursor,
        position=lambda study_session: Position(study_session.starts_at, study_session.id),
    )


async def create(
    session: AsyncSession, user_id: UUID, data: PlanCreate, now: datetime
) -> StudyPlan:
    """A manual plan for a week, with its sessions; one active plan per user and week."""
    user_calendar = await users.calendar(session, user_id)
    week_start = data.week_start or user_calendar.current_week(now)
    if not user_calendar.is_week_start(week_start):
        raise InvalidInput(
            ["body", "week_start"],
            f"Not the first day of a week (weeks start on {user_calendar.week_starts_on}).",
        )
    window = user_calendar.window(week_start)
    for index, item in enumerate(data.sessions):
        _check_in_week(item.starts_at, item.ends_at, window, ["body", "sessions", index])
        await _check_subject(session, user_id, item.subject_id, ["body", "sessions", index])
    # The plan's foreign key needs the user's row, which may precede auth's `UserRegistered`.
    await users.record_registration(session, user_id)
    plan = StudyPlan(user_id=user_id, week_start=week_start, source="manual", title=data.title)
    ordered = sorted(data.sessions, key=lambda item: item.starts_at)
    plan.sessions = [_new_session(user_id, item) for item in ordered]
    try:
        await repository.add(session, plan)
    except repository.ActivePlanExists:
        raise PlanExists("You already have an active plan for this week.") from None
    except repository.Overlap:
        raise SessionOverlap(OVERLAP) from None
    await repository.refresh_totals(session, plan)
    return plan


async def add_session(
    session: AsyncSession, user_id: UUID, data: SessionInput, now: datetime
) -> StudySession:
    """A manual session in the current plan, inside its week."""
    user_calendar = await users.calendar(session, user_id)
    # The lock on the plan's row makes the count and the insert one step (at most 200).
    plan = await repository.current_plan(session, user_id, user_calendar.today(now), lock=True)
    if plan is None:
        raise NoCurrentPlan("There is no active plan for the current week.")
    _check_in_week(data.starts_at, data.ends_at, user_calendar.window(plan.week_start), ["body"])
    await _check_subject(session, user_id, data.subject_id, ["body"])
    if await repository.count_sessions(session, plan.id) >= SESSIONS_PER_PLAN_MAX:
        raise SessionLimitReached(f"A plan can have at most {SESSIONS_PER_PLAN_MAX} sessions.")
    study_session = _new_session(user_id, data, plan_id=plan.id)
    try:
        await repository.add(session, study_session)
    except repository.Overlap:
        raise SessionOverlap(OVERLAP) from None
    return study_session


_OWN_ROW_CHANGES = frozenset({"status", "title", "notes", "actual_minutes"})


async def update_session_row(
    reads: Reads, user_id: UUID, session_id: UUID, data: SessionUpdate, now: datetime
) -> SessionRead | None:
    """`update_session` for a change that concerns the session's row alone (status, title,
    notes, actual minutes; what the app sends most): one short transaction on the autocommit
    pool, the row locked, the same rules, no ORM. None when the change needs more (new times
    or subject: the week, the other sessions, the subject are checked): `update_session`."""
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    if not changes.keys() <= _OWN_ROW_CHANGES:
        return None
    status = changes.pop("status", None)
    actual_minutes = changes.pop("actual_minutes", None)

    async def write(connection: AsyncConnection) -> dict[str, Any]:
        async with connection.transaction():
            row = await repository.lock_session_row(connection, user_id, session_id)
            if row is None:
                raise SessionNotFound("No such session.")
            if row["plan_status"] == "superseded":
                raise SessionIsHistory(
                    "The session belongs to a superseded plan; it can no longer change."
                )
            fields = dict(changes)
            current = row["status"]
            if status is not None:
                if not can_transition(current, status):
                    raise InvalidTransition(f"A session cannot go from {current} to {status}.")
                fields |= status_fields(status, row["starts_at"], row["ends_at"], now)
                current = status
            if "actual_minutes" in data.model_fields_set:
                if current != "completed" and actual_minutes is not None:
                    raise InvalidInput(
                        ["body", "actual_minutes"], "Only a completed session has actual minutes."
                    )
                fields["actual_minutes"] = actual_minutes
            # As the ORM does: a field set to the value it has is no change.
            changed = {name: value for name, value in fields.items() if row[name] != value}
            if not changed:
                return row
            return await repository.update_session_row(connection, session_id, changed)

    return _session_read(await reads.write(write))


async def update_session(
    session: AsyncSession, user_id: UUID, session_id: UUID, data: SessionUpdate, now: datetime
) -> StudySession:
    """Change the fields sent; a status change follows the transition table (docs/api.md)."""
    study_session = await repository.get_session(session, user_id, session_id)
    if study_session is None:
        raise SessionNotFound("No such session.")
    if study_session.plan.status == "superseded":
        raise SessionIsHistory("The session belongs to a superseded plan; it can no longer change.")
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    if "starts_at" in changes or "ends_at" in changes:
        starts_at = changes.get("starts_at", study_session.starts_at)
        ends_at = changes.get("ends_at", study_session.ends_at)
        try:
            check_range(starts_at, ends_at)
        except ValueError as exc:
            raise InvalidInput(["body"], str(exc)) from None
        window = (await users.calendar(session, user_id)).window(study_session.plan.week_start)
        _check_in_week(starts_at, ends_at, window, ["body"])
    if changes.get("subject_id") is not None:
        await _check_subject(session, user_id, changes["subject_id"], ["body"])
    status = changes.pop("status", None)
    actual_minutes = changes.pop("actual_minutes", None)
    for field, value in changes.items():
        setattr(study_session, field, value)
    if status is not None:
        if not can_transition(study_session.status, status):
            raise InvalidTransition(f"A session cannot go from {study_session.status} to {status}.")
        _apply_status(study_session, status, now)
    if "actual_minutes" in data.model_fields_set:
        if study_session.status != "completed" and actual_minutes is not None:
            raise InvalidInput(
                ["body", "actual_minutes"], "Only a completed session has actual minutes."
            )
        study_session.actual_minutes = actual_minutes
    try:
        await repository.flush(session)
    except repository.Overlap:
        raise SessionOverlap(OVERLAP) from None
    return study_session


async def store_generated(
    session: AsyncSession,
    user_id: UUID,
    *,
    week_start: date,
    generation_id: UUID,
    sessions: Sequence[PlannedSession],
    replaces: UUID | None,
) -> StudyPlan:
    """Store a generated plan as the week's active plan, in the caller's transaction.

    For a reschedule (`replaces`), the replaced plan is superseded and its completed,
    in-progress and pinned sessions move into the new plan with their ids; a generated session that
    collides with one of them (completed since the request was made) is left out. Raises
    `WeekTaken` when the week is no longer free for this plan, `SessionsOverlap` when a
    session would overlap another active session of the user (domain errors: the caller is a
    consumer, not a request).
    """
    kept: list[StudySession] = []
    if replaces is not None:
        previous = await repository.lock_plan(session, user_id, replaces)
        if previous is None or previous.status != "active":
            raise WeekTaken("The plan being rescheduled is no longer the week's active plan.")
        kept = [s for s in previous.sessions if is_kept(s.status, s.pinned)]
        await repository.supersede(session, previous)
    plan = StudyPlan(
        user_id=user_id, week_start=week_start, source="ai", generation_id=generation_id
    )
    known_subjects = {s.id for s in await subjects.chosen(session, user_id, None)}
    plan.sessions = [
        StudySession(
            user_id=user_id,
            source="ai",
            title=item.title,
            starts_at=item.starts_at,
            ends_at=item.ends_at,
            # A subject deleted since the request leaves its sessions without one.
            subject_id=item.subject_id if item.subject_id in known_subjects else None,
            rationale=item.rationale,
        )
        for item in sorted(sessions, key=lambda item: item.starts_at)
        if not any(_overlaps(item, other) for other in kept)
    ]
    try:
        await repository.add(session, plan)
        await repository.move_sessions(session, [s.id for s in kept], plan.id)
    except repository.ActivePlanExists:
        raise WeekTaken("The week already has an active plan.") from None
    except repository.Overlap:
        raise SessionsOverlap(OVERLAP) from None
    await repository.refresh_totals(session, plan)
    return plan


def _overlaps(item: PlannedSession, other: StudySession) -> bool:
    return item.starts_at < other.ends_at and other.starts_at < item.ends_at


def _apply_status(study_session: StudySession, status: str, now: datetime) -> None:
    """Keep `completed_at` and `actual_minutes` true to the status: only completed has them."""
    fields = status_fields(status, study_session.starts_at, study_session.ends_at, now)
    for field, value in fields.items():
        setattr(study_session, field, value)


def _new_session(user_id: UUID, data: SessionInput, plan_id: UUID | None = None) -> StudySession:
    return StudySession(user_id=user_id, plan_id=plan_id, source="manual", **data.model_dump())


def _check_in_week(
    starts_at: datetime,
    ends_at: datetime,
    window: tuple[datetime, datetime],
    loc: Sequence[str | int],
) -> None:
    if starts_at < window[0] or ends_at > window[1]:
        raise InvalidInput([*loc, "starts_at"], "The session is outside the plan's week.")


async def _check_subject(
    session: AsyncSession, user_id: UUID, subject_id: UUID | None, loc: Sequence[str | int]
) -> None:
    if subject_id is None:
        return
    try:
        await subjects.get_or_404(session, user_id, subject_id)
    except SubjectNotFound:
        raise InvalidInput([*loc, "subject_id"], "No such subject.") from None
