"""The rules of plans and sessions that need no database: weeks in the user's calendar, and
which status a session may move to."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEK = timedelta(days=7)
MAX_SESSION_HOURS = 8
MAX_SESSION = timedelta(hours=MAX_SESSION_HOURS)
MAX_SESSIONS_PER_PLAN = 200

# API.md: planned → in_progress | completed | skipped; in_progress → completed | skipped |
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


@dataclass(frozen=True)
class Calendar:
    """A user's calendar: "today" and weeks are computed in their time zone (API.md)."""

    timezone: str = "UTC"
    week_starts_on: str = "monday"

    @property
    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")

    def today(self, now: datetime) -> date:
        return now.astimezone(self.zone).date()

    def is_week_start(self, day: date) -> bool:
        return day.weekday() == (0 if self.week_starts_on == "monday" else 6)

    def week_of(self, day: date) -> date:
        """The first day of the week that contains `day`."""
        first = 0 if self.week_starts_on == "monday" else 6
        return day - timedelta(days=(day.weekday() - first) % 7)

    def current_week(self, now: datetime) -> date:
        return self.week_of(self.today(now))

    def window(self, week_start: date) -> tuple[datetime, datetime]:
        """The week as the half-open instant range `[first midnight, next week's midnight)`."""
        start = datetime.combine(week_start, time(), self.zone)
        end = datetime.combine(week_start + WEEK, time(), self.zone)
        return start, end
