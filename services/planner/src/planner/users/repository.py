"""Queries on the planner's user copy; never commits."""

from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from sqlalchemy import delete as sql_delete
from sqlalchemy import or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from planner.users.models import PlannerUser


async def get(session: AsyncSession, user_id: UUID) -> PlannerUser | None:
    return await session.get(PlannerUser, user_id)


async def calendar_fields(session: AsyncSession, user_id: UUID) -> tuple[str, str] | None:
    """Only the user's time zone and first weekday: every request that computes "today"
    needs them, and nothing else of the row."""
    row = (
        await session.execute(
            select(PlannerUser.timezone, PlannerUser.week_starts_on).where(
                PlannerUser.id == user_id
            )
        )
    ).first()
    return None if row is None else (row.timezone, row.week_starts_on)


async def read_calendar_fields(
    connection: AsyncConnection, user_id: UUID
) -> tuple[str, str] | None:
    """`calendar_fields` on a read connection (no transaction, no ORM)."""
    cursor = await connection.execute(
        "SELECT timezone, week_starts_on FROM users WHERE id = %s", (user_id,)
    )
    return await cursor.fetchone()


async def ensure(session: AsyncSession, user_id: UUID) -> None:
    """Create the user's row if it is missing; a no-op when it exists."""
    await session.execute(
        insert(PlannerUser).values(id=user_id).on_conflict_do_nothing(index_elements=["id"])
    )


async def replace_preferences(
    session: AsyncSession, user_id: UUID, values: dict[str, Any], as_of: datetime
) -> bool:
    """Upsert the preferences unless newer ones are already stored; True if they were applied."""
    table = PlannerUser.__table__
    statement = insert(PlannerUser).values(id=user_id, preferences_updated_at=as_of, **values)
    statement = statement.on_conflict_do_update(
        index_elements=["id"],
        set_={**values, "preferences_updated_at": as_of},
        where=or_(
            table.c.preferences_updated_at.is_(None),
            table.c.preferences_updated_at < as_of,
        ),
    ).returning(table.c.id)
    return (await session.execute(statement)).scalar() is not None


async def lock(session: AsyncSession, user_id: UUID) -> None:
    """Lock the user's row (which must exist) until the transaction ends."""
    await session.execute(select(PlannerUser.id).where(PlannerUser.id == user_id).with_for_update())


async def delete(session: AsyncSession, user_id: UUID) -> None:
    """Delete the user copy; every row of the user references it ON DELETE CASCADE."""
    await session.execute(sql_delete(PlannerUser).where(PlannerUser.id == user_id))
