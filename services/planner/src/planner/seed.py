"""Development and benchmark data: users with subjects and weeks of plans and sessions, written
by a handful of set-based statements (`python -m planner.seed --users 1000 --weeks 20`).

Each run seeds a fresh set of users: random new ids, plus the ids the caller names (e.g. accounts
registered through auth, whose tokens a benchmark holds). A named user's existing plans and
subjects are replaced, so seeding the same ids again gives them new data rather than a conflict.

Every user gets a time zone and first weekday from a fixed mix, 3-6 subjects, and one active plan
for each of the `weeks` weeks ending with their current week, computed in their own calendar as
the API does. A plan has 10-14 sessions in two daily slots (mornings from 08:00, evenings from
17:00 local time, 30-120 minutes each), so no two sessions of a user overlap. Sessions that have
ended are mostly completed (with `completed_at` and `actual_minutes`) or skipped, some were left
planned; one running now is in progress; later ones are planned.
"""

import argparse
import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from planner.settings import Settings
from schediora_runtime.database import create_engine

TIMEZONES = (
    "UTC",
    "Europe/Berlin",
    "America/Los_Angeles",
    "Pacific/Kiritimati",
    "Asia/Tokyo",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Australia/Sydney",
)
SUBJECTS = ("Calculus", "Physics", "History", "Chemistry", "Literature", "Biology")
COLORS = ("#E53935", "#1E88E5", "#43A047", "#FB8C00", "#8E24AA", "#00897B")

_USERS = text("""
    INSERT INTO planner.users (id, timezone, week_starts_on)
    SELECT coalesce(named.id, gen_random_uuid()),
           (CAST(:timezones AS text[]))[1 + n % cardinality(CAST(:timezones AS text[]))],
           CASE WHEN n % 3 = 2 THEN 'sunday' ELSE 'monday' END
    FROM generate_series(0, :count - 1) AS n
    LEFT JOIN unnest(CAST(:named AS uuid[])) WITH ORDINALITY AS named (id, position)
        ON named.position = n + 1
    ON CONFLICT (id) DO UPDATE
        SET timezone = excluded.timezone, week_starts_on = excluded.week_starts_on
    RETURNING id
""")

_CLEAR = (
    text("DELETE FROM planner.study_plans WHERE user_id = ANY(CAST(:ids AS uuid[]))"),
    text("DELETE FROM planner.subjects WHERE user_id = ANY(CAST(:ids AS uuid[]))"),
)

_SUBJECTS = text("""
    INSERT INTO planner.subjects
        (id, user_id, name, difficulty, target_minutes_per_week, color, exam_date)
    SELECT gen_random_uuid(), u.id, (CAST(:names AS text[]))[s], 1 + s % 5, 60 * (s + 2),
           (CAST(:colors AS text[]))[s],
           CASE WHEN s % 2 = 0 THEN CAST(:now AS date) + 30 * s END
    FROM unnest(CAST(:ids AS uuid[])) AS u (id)
    CROSS JOIN LATERAL generate_series(1, 3 + get_byte(uuid_send(u.id), 15) % 4) AS s
""")

# The current week starts on the user's first weekday on or before their local today
# (isodow: Monday 1 ... Sunday 7), as `planner.plans.domain.Calendar.week_of` computes it.
# Rows go in week order, as real plans arrive: each user's weeks lie apart in the heap.
_PLANS = text("""
    INSERT INTO planner.study_plans
        (id, user_id, week_start, source, status, generation_id, title, created_at)
    SELECT gen_random_uuid(), id, week_start, source, 'active',
           CASE WHEN source = 'ai' THEN gen_random_uuid() END,
           'Week of ' || to_char(week_start, 'YYYY-MM-DD'),
           least((week_start - 2 + time '20:00') AT TIME ZONE timezone, :now)
    FROM (
        SELECT u.id, u.timezone, w.current_week - 7 * k AS week_start,
               CASE WHEN random() < 0.3 THEN 'ai' ELSE 'manual' END AS source
        FROM planner.users AS u
        CROSS JOIN LATERAL (SELECT CAST(:now AT TIME ZONE u.timezone AS date) AS today) AS here
        CROSS JOIN LATERAL (
            SELECT today - (extract(isodow FROM today)::int
                            - CASE u.week_starts_on WHEN 'monday' THEN 1 ELSE 0 END) % 7
                   AS current_week
        ) AS w
        CROSS JOIN generate_series(0, :weeks - 1) AS k
        WHERE u.id = ANY(CAST(:ids AS uuid[]))
    ) AS plans
    ORDER BY week_start, id
""")

# 14 slots a week (7 days x morning/evening); a plan keeps 10-14 of them, chosen at random.
_SESSIONS = text("""
    WITH subjects AS (
        SELECT user_id, array_agg(id ORDER BY name) AS ids, array_agg(name ORDER BY name) AS names
        FROM planner.subjects WHERE user_id = ANY(CAST(:ids AS uuid[])) GROUP BY user_id
    ),
    slots AS (
        SELECT p.id AS plan_id, p.user_id, p.source, p.week_start, p.created_at, u.timezone,
               s.ids AS subject_ids, s.names AS subject_names, slot / 2 AS day, slot % 2 AS part,
               10 + get_byte(uuid_send(p.id), 15) % 5 AS keep,
               row_number() OVER (PARTITION BY p.id ORDER BY random()) AS pick
        FROM planner.study_plans AS p
        JOIN planner.users AS u ON u.id = p.user_id
        JOIN subjects AS s ON s.user_id = p.user_id
        CROSS JOIN generate_series(0, 13) AS slot
        WHERE p.user_id = ANY(CAST(:ids AS uuid[]))
    ),
    timed AS (
        SELECT plan_id, user_id, source, week_start, created_at, subject_ids, subject_names,
               (week_start + day + CASE part WHEN 0 THEN time '08:00' ELSE time '17:00' END
                + make_interval(mins => 15 * floor(random() * 8)::int)) AT TIME ZONE timezone
                   AS starts_at,
               make_interval(mins => 30 + 15 * floor(random() * 7)::int) AS length,
               CASE WHEN random() < 0.9 THEN 1 + floor(random() * cardinality(subject_ids))::int
               END AS subject,
               random() AS fate, random() AS extra
        FROM slots WHERE pick <= keep
    ),
    fated AS (
        SELECT timed.*, starts_at + length AS ends_at,
               CASE
                   WHEN starts_at + length <= :now THEN
                       CASE WHEN fate < 0.72 THEN 'completed'
                            WHEN fate < 0.9 THEN 'skipped' ELSE 'planned' END
                   WHEN starts_at <= :now THEN 'in_progress'
                   ELSE 'planned'
               END AS status
        FROM timed
    )
    INSERT INTO planner.study_sessions
        (id, plan_id, user_id, subject_id, title, starts_at, ends_at, status, source, notes,
         actual_minutes, completed_at, rationale, active, created_at, updated_at)
    SELECT gen_random_uuid(), plan_id, user_id, subject_ids[subject],
           coalesce(subject_names[subject], 'Review'), starts_at, ends_at, status, source,
           CASE WHEN extra < 0.2 THEN 'Chapter ' || (1 + floor(extra * 60)::int) END,
           CASE WHEN status = 'completed'
                THEN extract(epoch FROM length)::int / 60 + 15 * (floor(extra * 3)::int - 1)
           END,
           CASE WHEN status = 'completed' THEN least(ends_at + interval '5 minutes', :now) END,
           CASE WHEN source = 'ai' THEN 'Spaced repetition ahead of the exam' END,
           true, created_at,
           CASE WHEN status = 'completed' THEN least(ends_at + interval '5 minutes', :now)
                ELSE created_at END
    FROM fated
    ORDER BY week_start, user_id, starts_at
""")

_REMOVE = text("DELETE FROM planner.users WHERE id = ANY(CAST(:ids AS uuid[]))")


@dataclass(frozen=True)
class Seeded:
    user_ids: list[UUID]
    plans: int
    sessions: int


async def seed(
    connection: AsyncConnection,
    *,
    users: int,
    weeks: int,
    user_ids: Sequence[UUID] = (),
    now: datetime | None = None,
) -> Seeded:
    """Seed `users` users (the named `user_ids` among them) with `weeks` weeks of plans each,
    in the caller's transaction; the caller commits."""
    moment = now or datetime.now(UTC)
    # A bulk load outlasts the request path's statement timeout, and sorts in memory.
    await connection.execute(text("SET LOCAL statement_timeout = 0"))
    await connection.execute(text("SET LOCAL work_mem = '64MB'"))
    result = await connection.execute(
        _USERS,
        {"timezones": list(TIMEZONES), "named": list(user_ids), "count": max(users, len(user_ids))},
    )
    ids = list(result.scalars())
    for statement in _CLEAR:
        await connection.execute(statement, {"ids": list(user_ids)})
    await connection.execute(
        _SUBJECTS, {"ids": ids, "now": moment, "names": list(SUBJECTS), "colors": list(COLORS)}
    )
    plans = await connection.execute(_PLANS, {"ids": ids, "now": moment, "weeks": weeks})
    sessions = await connection.execute(_SESSIONS, {"ids": ids, "now": moment})
    return Seeded(ids, plans.rowcount, sessions.rowcount)


async def remove(connection: AsyncConnection, user_ids: Sequence[UUID]) -> None:
    """Delete seeded users; their subjects, plans and sessions go with them (cascades)."""
    await connection.execute(_REMOVE, {"ids": list(user_ids)})


async def analyze(connection: AsyncConnection) -> None:
    """Refresh the planner's statistics, so the query planner sees the seeded volume."""
    for table in ("users", "subjects", "study_plans", "study_sessions"):
        await connection.execute(text(f"ANALYZE planner.{table}"))


async def _main(users: int, weeks: int, user_ids: list[UUID]) -> None:
    engine = create_engine(Settings())
    try:
        started = time.perf_counter()
        async with engine.begin() as connection:
            seeded = await seed(connection, users=users, weeks=weeks, user_ids=user_ids)
        seeding = time.perf_counter() - started
        async with engine.begin() as connection:
            await analyze(connection)
    finally:
        await engine.dispose()
    print(
        f"seeded {len(seeded.user_ids):,} users x {weeks} weeks: {seeded.plans:,} plans, "
        f"{seeded.sessions:,} sessions in {seeding:.1f} s (then ANALYZE: "
        f"{time.perf_counter() - started - seeding:.1f} s)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m planner.seed", description=__doc__)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--weeks", type=int, default=20)
    parser.add_argument("--user-id", type=UUID, action="append", default=[], dest="user_ids")
    arguments = parser.parse_args()
    asyncio.run(_main(arguments.users, arguments.weeks, arguments.user_ids))
