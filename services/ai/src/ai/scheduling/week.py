"""The requested week as instants: its bounds, the user's availability windows and exam cut-offs.

The validator and the solver read the same facts from here, so they agree on what a window, a day
and an exam cut-off mean in the user's time zone.
"""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from schediora_contracts.common import AvailabilityWindow, SubjectSnapshot
from schediora_contracts.events import PlanRequested
from schediora_contracts.local_time import (
    DAY,
    Interval,
    day_start,
    minutes_of,
    wall_ranges,
    zone_of,
)


@dataclass(frozen=True)
class Week:
    zone: ZoneInfo
    first_day: date
    last_day: date
    start: datetime
    """Local midnight that starts `first_day`."""
    end: datetime
    """Local midnight after `last_day`."""
    earliest: datetime
    """Where new sessions may begin: the week's start, or `not_before` when later."""
    availability: tuple[AvailabilityWindow, ...]

    @classmethod
    def of(cls, request: PlanRequested) -> "Week":
        zone = zone_of(request.timezone)
        start = day_start(request.week_start, zone)
        earliest = max(start, request.not_before) if request.not_before else start
        return cls(
            zone=zone,
            first_day=request.week_start,
            last_day=request.week_end,
            start=start,
            end=day_start(request.week_end + DAY, zone),
            earliest=earliest,
            availability=request.preferences.availability,
        )

    @property
    def days(self) -> list[date]:
        count = (self.last_day - self.first_day).days + 1
        return [self.first_day + i * DAY for i in range(max(count, 0))]

    def windows_on(self, day: date) -> list[Interval]:
        """The instants of `day` inside each of its weekday's windows (a window whose end is not
        after its start is empty); on a DST day one window can be two ranges or shorter."""
        intervals = []
        for window in self.availability:
            if window.weekday == day.weekday():
                start, end = minutes_of(window.start), minutes_of(window.end)
                intervals.extend(wall_ranges(day, start, end, self.zone))
        return sorted(intervals)

    def exam_cutoff(self, subject: SubjectSnapshot) -> datetime | None:
        """Local midnight that starts the exam date: every session of the subject ends by then."""
        return day_start(subject.exam_date, self.zone) if subject.exam_date else None
