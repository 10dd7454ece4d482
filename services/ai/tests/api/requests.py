"""PlanRequested payloads as the planner sends them, and reading the ai outbox back."""

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from ai.db import outbox
from schediora_contracts import PlanRequested
from schediora_contracts.common import Preferences, SubjectSnapshot

# A Monday far enough ahead that the week is always still to come.
WEEK_START = date(2030, 1, 7)


def plan_request(user_id: uuid.UUID, **fields: Any) -> PlanRequested:
    preferences = Preferences.model_validate(
        {
            "timezone": "Europe/Berlin",
            "week_starts_on": "monday",
            "daily_goal_minutes": 120,
            "session_minutes": 50,
            "break_minutes": 10,
            "availability": [{"weekday": d, "start": "18:00", "end": "21:00"} for d in range(7)],
            "preferred_time_of_day": "evening",
        }
    )
    values: dict[str, Any] = {
        "job_id": uuid.uuid4(),
        "user_id": user_id,
        "kind": "generate",
        "week_start": WEEK_START,
        "week_end": WEEK_START + timedelta(days=6),
        "timezone": "Europe/Berlin",
        "preferences": preferences,
        "subjects": (
            SubjectSnapshot(
                subject_id=uuid.uuid4(),
                name="Calculus",
                exam_date=WEEK_START + timedelta(days=5),
                difficulty=4,
            ),
            SubjectSnapshot(subject_id=uuid.uuid4(), name="Biology", difficulty=2),
        ),
        "requested_at": datetime(2030, 1, 6, 12, tzinfo=UTC),
    }
    return PlanRequested(**(values | fields))


async def published(app, job_id: uuid.UUID) -> list[tuple[str, dict]]:
    """(type, payload) of every event in the ai outbox about the job, in order."""
    async with app.state.runtime.sessionmaker() as session:
        rows = await session.scalars(select(outbox.c.envelope).order_by(outbox.c.id))
        return [
            (envelope["type"], envelope["payload"])
            for envelope in rows
            if envelope["payload"].get("job_id") == str(job_id)
        ]
