"""The dashboard's queries: set-based aggregates over the sessions of a user's active plans.

A session belongs to the local day on which it starts, in the user's time zone; PostgreSQL
does that conversion (`timezone(zone, starts_at)`), so a DST day of 23 or 25 hours is counted
as one day like any other.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from psycopg.rows import namedtuple_row
from sqlalchemy import Date, Integer, bindparam, case, cast, func, select, tuple_
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql import Select

from planner.plans.models import SCHEDULED_MINUTES, StudySession
from planner.subjects.models import Subject


@dataclass(frozen=True)
class Totals:
    """Minutes planned and completed, and the session count, of one group of sessions."""

    planned_minutes: int
    completed_minutes: int
    sessions: int


@dataclass(frozen=True)
class SubjectTotals:
    subject_id: UUID
    name: str
    totals: Totals


@dataclass(frozen=True)
class RangeTotals:
    """One range's totals; sessions without a subject count everywhere except `by_subject`."""

    by_day: dict[date, Totals]
    by_status: dict[str, Totals]
    by_subject: list[SubjectTotals]


def _local_day(zone: str):
    return cast(func.timezone(zone, StudySession.starts_at), Date)


# docs/api.md: completed sessions count by `actual_minutes` when set, else by scheduled length.
_COMPLETED_MINUTES = case(
    (
        StudySession.status == "completed",
        func.coalesce(StudySession.actual_minutes, SCHEDULED_MINUTES),
    ),
    else_=0,
)


def _range_totals_statement() -> Select:
    """Totals of the sessions starting in [start, end), grouped by local day, by status and by
    subject, in one pass over the rows (`GROUPING SETS`)."""
    user_id = bindparam("user_id")
    zone = bindparam("zone")
    sessions = (
        select(
            _local_day(zone).label("day"),
            StudySession.status,
            StudySession.subject_id,
            SCHEDULED_MINUTES.label("planned"),
            _COMPLETED_MINUTES.label("completed"),
        )
        .where(
            StudySession.user_id == user_id,
            StudySession.active,
            StudySession.starts_at >= bindparam("start"),
            StudySession.starts_at < bindparam("end"),
        )
        .subquery("sessions")
    )
    return (
        select(
            sessions.c.day,
            sessions.c.status,
            sessions.c.subject_id,
            Subject.name,
            func.grouping(sessions.c.day).label("no_day"),
            func.grouping(sessions.c.status).label("no_status"),
            func.sum(sessions.c.planned).label("planned_minutes"),
            func.sum(sessions.c.completed).label("completed_minutes"),
            func.count().label("sessions"),
        )
        .select_from(sessions)
        # Naming the user lets PostgreSQL read only their subjects, by index.
        .outerjoin(Subject, (Subject.id == sessions.c.subject_id) & (Subject.user_id == user_id))
        .group_by(
            func.grouping_sets(
                tuple_(sessions.c.day),
                tuple_(sessions.c.status),
                tuple_(sessions.c.subject_id, Subject.name),
            )
        )
    )


def _streak_statement() -> Select:
    """Consecutive local days with a completed session, ending today or, while nothing is
    completed yet today, yesterday; `until` is the end of today. Gaps and islands: on
    consecutive days, newest first, `day + row_number` stays the same."""
    completed_days = (
        select(_local_day(bindparam("zone")).label("day"))
        .where(
            StudySession.user_id == bindparam("user_id"),
            StudySession.active,
            StudySession.status == "completed",
            StudySession.starts_at < bindparam("until"),
        )
        .distinct()
        .cte("completed_days")
    )
    island = completed_days.c.day + func.row_number().over(
        order_by=completed_days.c.day.desc()
    ).cast(Integer)
    ranked = select(island.label("island")).subquery("ranked")
    latest = select(func.max(completed_days.c.day)).scalar_subquery()
    return (
        select(func.count())
        .select_from(ranked)
        .where(ranked.c.island == latest + 1, latest >= bindparam("yesterday", type_=Date))
    )


@cache
def _compiled(build: Any) -> tuple[str, dict[str, Any]]:
    """A statement's SQL for psycopg, compiled once, and its constant parameters."""
    compiled = build().compile(dialect=postgresql.psycopg.dialect())
    constants = {k: v for k, v in compiled.params.items() if v is not None}
    return str(compiled), constants


async def _execute(connection: AsyncConnection, build: Any, params: dict[str, Any]) -> list:
    sql, constants = _compiled(build)
    cursor = connection.cursor(row_factory=namedtuple_row)
    await cursor.execute(sql, constants | params)
    return await cursor.fetchall()


async def range_totals(
    connection: AsyncConnection, user_id: UUID, zone: str, between: tuple[datetime, datetime]
) -> RangeTotals:
    """Totals of the sessions starting in `between`, by local day, status and subject."""
    params = {"user_id": user_id, "zone": zone, "start": between[0], "end": between[1]}
    by_day: dict[date, Totals] = {}
    by_status: dict[str, Totals] = {}
    by_subject: list[SubjectTotals] = []
    for row in await _execute(connection, _range_totals_statement, params):
        totals = Totals(int(row.planned_minutes), int(row.completed_minutes), row.sessions)
        if not row.no_day:
            by_day[row.day] = totals
        elif not row.no_status:
            by_status[row.status] = totals
        elif row.subject_id is not None:
            by_subject.append(SubjectTotals(row.subject_id, row.name, totals))
    return RangeTotals(by_day, by_status, by_subject)


async def streak_days(
    connection: AsyncConnection, user_id: UUID, zone: str, today: date, until: datetime
) -> int:
    """The streak of local days with a completed session that ends today or yesterday."""
    params = {
        "user_id": user_id,
        "zone": zone,
        "until": until,
        "yesterday": today - timedelta(days=1),
    }
    rows = await _execute(connection, _streak_statement, params)
    return rows[0][0] or 0
