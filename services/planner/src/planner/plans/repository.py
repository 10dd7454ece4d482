"""Queries on plans and sessions, always scoped by the owner; never commits."""

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from psycopg.rows import dict_row
from sqlalchemy import func, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from planner.plans.models import ACTIVE_PLAN_INDEX, NO_OVERLAP_CONSTRAINT, StudyPlan, StudySession
from planner.users.domain import WEEK
from schediora_runtime.database import violated_constraint
from schediora_runtime.pagination import Position


class ActivePlanExists(Exception):
    """The user already has an active plan for that week."""


class Overlap(Exception):
    """A session would overlap another session of the user's active plans."""


def week_key(week_start: date) -> datetime:
    """A plan's sort key as a cursor carries it."""
    return datetime.combine(week_start, time(), UTC)


async def get_plan(
    session: AsyncSession, user_id: UUID, plan_id: UUID, *, with_sessions: bool = False
) -> StudyPlan | None:
    statement = select(StudyPlan).where(StudyPlan.id == plan_id, StudyPlan.user_id == user_id)
    if with_sessions:
        statement = statement.options(selectinload(StudyPlan.sessions))
    return await session.scalar(statement)


async def current_plan(
    session: AsyncSession, user_id: UUID, today: date, *, lock: bool = False
) -> StudyPlan | None:
    """The active plan whose week contains `today`, with its sessions; `lock` locks its row."""
    statement = (
        select(StudyPlan)
        .where(
            StudyPlan.user_id == user_id,
            StudyPlan.status == "active",
            StudyPlan.week_start <= today,
            StudyPlan.week_start > today - WEEK,
        )
        .order_by(StudyPlan.week_start.desc())
        .limit(1)
        .options(selectinload(StudyPlan.sessions))
    )
    if lock:
        statement = statement.with_for_update(of=StudyPlan)
    return await session.scalar(statement)


async def active_plan_for_week(
    session: AsyncSession, user_id: UUID, week_start: date
) -> StudyPlan | None:
    return await session.scalar(
        select(StudyPlan).where(
            StudyPlan.user_id == user_id,
            StudyPlan.week_start == week_start,
            StudyPlan.status == "active",
        )
    )


async def list_plans(
    session: AsyncSession, user_id: UUID, *, status: str | None, limit: int, after: Position | None
) -> Sequence[StudyPlan]:
    """Up to `limit` of the user's plans, newest week first, after `after`."""
    statement = (
        select(StudyPlan)
        .where(StudyPlan.user_id == user_id)
        .order_by(StudyPlan.week_start.desc(), StudyPlan.id.desc())
        .limit(limit)
    )
    if status is not None:
        statement = statement.where(StudyPlan.status == status)
    if after is not None:
        statement = statement.where(
            tuple_(StudyPlan.week_start, StudyPlan.id) < tuple_(after.key.date(), after.id)
        )
    return (await session.scalars(statement)).all()


async def get_session(
    session: AsyncSession, user_id: UUID, session_id: UUID
) -> StudySession | None:
    """The session with its plan loaded."""
    return await session.scalar(
        select(StudySession)
        .where(StudySession.id == session_id, StudySession.user_id == user_id)
        .options(selectinload(StudySession.plan))
    )


async def list_sessions(
    session: AsyncSession,
    user_id: UUID,
    *,
    between: tuple[datetime, datetime] | None,
    limit: int,
    after: Position | None,
) -> Sequence[StudySession]:
    """Up to `limit` sessions of the user's active plans by `starts_at`, optionally those
    starting in the half-open range `between`."""
    statement = (
        select(StudySession)
        .where(StudySession.user_id == user_id, StudySession.active)
        .order_by(StudySession.starts_at, StudySession.id)
        .limit(limit)
    )
    if between is not None:
        statement = statement.where(
            StudySession.starts_at >= between[0], StudySession.starts_at < between[1]
        )
    if after is not None:
        statement = statement.where(
            tuple_(StudySession.starts_at, StudySession.id) > tuple_(after.key, after.id)
        )
    return (await session.scalars(statement)).all()


async def lock_plan(session: AsyncSession, user_id: UUID, plan_id: UUID) -> StudyPlan | None:
    """The plan with its sessions, its row locked until commit."""
    return await session.scalar(
        select(StudyPlan)
        .where(StudyPlan.id == plan_id, StudyPlan.user_id == user_id)
        .with_for_update(of=StudyPlan)
        .options(selectinload(StudyPlan.sessions))
    )


async def supersede(session: AsyncSession, plan: StudyPlan) -> None:
    """Make the plan history: superseded, its sessions no longer active (nor blocking)."""
    plan.status = "superseded"
    await session.execute(
        update(StudySession).where(StudySession.plan_id == plan.id).values(active=False)
    )
    await flush(session)


async def move_sessions(session: AsyncSession, session_ids: Sequence[UUID], plan_id: UUID) -> None:
    """Move sessions, ids unchanged, into the (active) plan `plan_id`."""
    if session_ids:
        await session.execute(
            update(StudySession)
            .where(StudySession.id.in_(session_ids))
            .values(plan_id=plan_id, active=True)
            .execution_options(synchronize_session=False)
        )
        await flush(session)


async def count_sessions(session: AsyncSession, plan_id: UUID) -> int:
    statement = (
        select(func.count()).select_from(StudySession).where(StudySession.plan_id == plan_id)
    )
    return await session.scalar(statement) or 0


async def add(session: AsyncSession, *rows: StudyPlan | StudySession) -> None:
    session.add_all(rows)
    await flush(session)


async def refresh_totals(session: AsyncSession, plan: StudyPlan) -> None:
    """Reload a plan's session count and minutes after its sessions changed."""
    await session.refresh(plan, ["session_count", "total_minutes"])


async def flush(session: AsyncSession) -> None:
    """Write pending changes; the partial unique index and the exclusion constraint turn a
    race into `ActivePlanExists` or `Overlap`."""
    try:
        await session.flush()
    except IntegrityError as exc:
        constraint = violated_constraint(exc)
        if constraint == ACTIVE_PLAN_INDEX:
            raise ActivePlanExists from exc
        if constraint == NO_OVERLAP_CONSTRAINT:
            raise Overlap from exc
        raise


# Reads on a read connection (autocommit, no ORM): the hot reads of the app, each one round trip.

SESSION_COLUMNS = (
    "id",
    "plan_id",
    "subject_id",
    "title",
    "starts_at",
    "ends_at",
    "status",
    "source",
    "notes",
    "actual_minutes",
    "completed_at",
    "rationale",
    "pinned",
    "created_at",
    "updated_at",
)
PLAN_COLUMNS = ("id", "week_start", "source", "status", "generation_id", "title", "created_at")
_SESSIONS = ", ".join(SESSION_COLUMNS)
_RANGE = " AND starts_at >= %(start)s AND starts_at < %(end)s"
_AFTER = " AND (starts_at, id) > (%(after_key)s, %(after_id)s)"


async def read_sessions(
    connection: AsyncConnection,
    user_id: UUID,
    *,
    between: tuple[datetime, datetime] | None,
    limit: int,
    after: Position | None,
) -> list[dict[str, Any]]:
    """`list_sessions` as rows: the same filter, order and index."""
    # Only fixed column names and fragments are joined in; every value is a bound parameter.
    query = f"SELECT {_SESSIONS} FROM study_sessions WHERE user_id = %(user_id)s AND active"  # noqa: S608
    params: dict[str, Any] = {"user_id": user_id, "limit": limit}
    if between is not None:
        query += _RANGE
        params |= {"start": between[0], "end": between[1]}
    if after is not None:
        query += _AFTER
        params |= {"after_key": after.key, "after_id": after.id}
    cursor = connection.cursor(row_factory=dict_row)
    await cursor.execute(query + " ORDER BY starts_at, id LIMIT %(limit)s", params)
    return await cursor.fetchall()


_CURRENT_PLAN = (
    "SELECT "  # noqa: S608 - fixed column names; every value is a bound parameter
    + ", ".join(f"p.{c} AS plan__{c}" for c in PLAN_COLUMNS)
    + ", "
    + ", ".join(f"s.{c}" for c in SESSION_COLUMNS)
    + """
    FROM (SELECT * FROM study_plans
          WHERE user_id = %(user_id)s AND status = 'active'
            AND week_start <= %(today)s AND week_start > %(week_before)s
          ORDER BY week_start DESC LIMIT 1) AS p
    LEFT JOIN study_sessions AS s ON s.plan_id = p.id
    ORDER BY s.starts_at
"""
)


async def read_current_plan(
    connection: AsyncConnection, user_id: UUID, today: date
) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """`current_plan` as rows, plan and sessions in one statement: the plan's columns and its
    sessions (by start), or None."""
    cursor = connection.cursor(row_factory=dict_row)
    params = {"user_id": user_id, "today": today, "week_before": today - WEEK}
    await cursor.execute(_CURRENT_PLAN, params)
    rows = await cursor.fetchall()
    if not rows:
        return None
    plan = {c: rows[0][f"plan__{c}"] for c in PLAN_COLUMNS}
    sessions = [{c: row[c] for c in SESSION_COLUMNS} for row in rows if row["id"] is not None]
    return plan, sessions


_LOCK_SESSION = (
    "SELECT "  # noqa: S608 - fixed column names; every value is a bound parameter
    + ", ".join(f"s.{c}" for c in SESSION_COLUMNS)
    + """, p.status AS plan_status
    FROM study_sessions AS s LEFT JOIN study_plans AS p ON p.id = s.plan_id
    WHERE s.id = %(id)s AND s.user_id = %(user_id)s
    FOR UPDATE OF s
"""
)


async def lock_session_row(
    connection: AsyncConnection, user_id: UUID, session_id: UUID
) -> dict[str, Any] | None:
    """The user's session as a row with its plan's status, locked until the transaction ends."""
    cursor = connection.cursor(row_factory=dict_row)
    await cursor.execute(_LOCK_SESSION, {"id": session_id, "user_id": user_id})
    return await cursor.fetchone()


_ROW_FIELDS = frozenset({"title", "notes", "status", "completed_at", "actual_minutes"})


async def update_session_row(
    connection: AsyncConnection, session_id: UUID, fields: dict[str, Any]
) -> dict[str, Any]:
    """Set `fields` (of the session's own columns) and `updated_at`; the row as it is now."""
    if unknown := fields.keys() - _ROW_FIELDS:
        raise ValueError(f"not a settable session field: {sorted(unknown)}")
    assignments = ", ".join(f"{name} = %({name})s" for name in fields)
    cursor = connection.cursor(row_factory=dict_row)
    await cursor.execute(
        f"UPDATE study_sessions SET {assignments}, updated_at = now() "  # noqa: S608
        f"WHERE id = %(id)s RETURNING {_SESSIONS}",
        fields | {"id": session_id},
    )
    row = await cursor.fetchone()
    if row is None:  # the row is locked by this transaction: it cannot have gone
        raise LookupError(session_id)
    return row
