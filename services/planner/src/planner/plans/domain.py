"""The rules of plans and sessions that need no database: lengths, limits and which status a
session may move to."""

from datetime import datetime
from typing import Any

MAX_RANGE_DAYS = 92
"""`GET /sessions?from=&to=`: the most local days one request may cover (a quarter)."""

# A reschedule keeps these where they are, ids unchanged (docs/api.md).
KEPT_STATUSES = frozenset({"in_progress", "completed"})


def is_kept(status: str, pinned: bool) -> bool:
    """Whether a reschedule keeps the session exactly (id and times): completed, in progress,
    or pinned by the student."""
    return pinned or status in KEPT_STATUSES


# docs/api.md: planned → in_progress | completed | skipped; in_progress → completed | skipped |
# planned; completed | skipped → planned (undo). Anything else is refused.
TRANSITIONS: dict[str, frozenset[str]] = {
    "planned": frozenset({"in_progress", "completed", "skipped"}),
    "in_progress": frozenset({"completed", "skipped", "planned"}),
    "completed": frozenset({"planned"}),
    "skipped": frozenset({"planned"}),
}


def can_transition(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


def minutes_between(starts_at: datetime, ends_at: datetime) -> int:
    return int((ends_at - starts_at).total_seconds() // 60)


def status_fields(
    status: str, starts_at: datetime, ends_at: datetime, now: datetime
) -> dict[str, Any]:
    """What a session's row holds with `status`: only a completed session has `completed_at`
    and actual minutes (its planned length until the user says otherwise)."""
    if status == "completed":
        return {
            "status": status,
            "completed_at": now,
            "actual_minutes": minutes_between(starts_at, ends_at),
        }
    return {"status": status, "completed_at": None, "actual_minutes": None}


class WeekTaken(Exception):
    """A generated plan cannot become the week's active plan: the week has another one, or the
    plan it was to replace is no longer active."""


class SessionsOverlap(Exception):
    """A generated session would overlap another active session of the user."""
