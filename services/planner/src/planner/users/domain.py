"""A user's calendar: "today", weeks and day boundaries in their time zone (docs/api.md)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from schediora_contracts.local_time import DAY, day_start, zone_of

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Calendar:
    """A user's calendar: "today" and weeks are computed in their time zone (docs/api.md)."""

    timezone: str = "UTC"
    week_starts_on: str = "monday"

    @property
    def zone(self) -> ZoneInfo:
        """The IANA zone; an unknown name (never accepted by auth) falls back to UTC."""
        return zone_of(self.timezone)

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
        return self.days(week_start, week_start + WEEK - DAY)

    def days(self, first: date, last: date) -> tuple[datetime, datetime]:
        """Local days `first`..`last` (inclusive) as the half-open instant range from the first
        midnight to the midnight after `last`; a DST change makes a day 23 or 25 hours long."""
        return day_start(first, self.zone), day_start(last + DAY, self.zone)
