"""The dashboard use case: the last 7 or 30 local days of the user's active plans."""

from datetime import datetime
from uuid import UUID

from psycopg import AsyncConnection

from planner.dashboard import repository
from planner.dashboard.domain import RANGE_DAYS, Range, completion_rate, days_ending
from planner.dashboard.repository import Totals
from planner.dashboard.schemas import DashboardSummary, DayTotals, SessionCounts, SubjectMinutes
from planner.users import service as users
from schediora_runtime.reads import Reads

_NOTHING = Totals(planned_minutes=0, completed_minutes=0, sessions=0)


async def summary(reads: Reads, user_id: UUID, range_: Range, now: datetime) -> DashboardSummary:
    """Totals of the sessions starting in the range's local days, which end today in the
    user's time zone; superseded plans' sessions are history and never count. Read without a
    transaction, three statements on one connection."""
    return await reads.run(lambda connection: _summary(connection, user_id, range_, now))


async def _summary(
    connection: AsyncConnection, user_id: UUID, range_: Range, now: datetime
) -> DashboardSummary:
    calendar = await users.read_calendar(connection, user_id)
    zone = calendar.zone.key
    today = calendar.today(now)
    days = days_ending(today, RANGE_DAYS[range_])
    between = calendar.days(days[0], days[-1])
    totals = await repository.range_totals(connection, user_id, zone, between)
    streak = await repository.streak_days(connection, user_id, zone, today, until=between[1])
    planned = sum(group.planned_minutes for group in totals.by_status.values())
    completed = sum(group.completed_minutes for group in totals.by_status.values())
    by_subject = sorted(
        totals.by_subject, key=lambda subject: (-subject.totals.planned_minutes, subject.name)
    )
    return DashboardSummary(
        range=range_,
        from_=days[0],
        to=days[-1],
        planned_minutes=planned,
        completed_minutes=completed,
        completion_rate=completion_rate(completed, planned),
        sessions=SessionCounts(**{s: group.sessions for s, group in totals.by_status.items()}),
        streak_days=streak,
        by_day=[DayTotals(date=day, **_minutes(totals.by_day.get(day, _NOTHING))) for day in days],
        by_subject=[
            SubjectMinutes(
                subject_id=subject.subject_id, name=subject.name, **_minutes(subject.totals)
            )
            for subject in by_subject
        ],
    )


def _minutes(totals: Totals) -> dict[str, int]:
    return {
        "planned_minutes": totals.planned_minutes,
        "completed_minutes": totals.completed_minutes,
    }
