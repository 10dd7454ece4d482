"""A plan measured the way a wish is judged: minutes per subject, per part of the day and per
weekday, the mean session length, the busiest day, the earliest start and the latest end (local
wall times in the student's zone); and whether a plan moved the way one wish asks, against the
plan it replaced (`moved`).

A wish is met when, comparing the rest of the week before (the replaced plan's sessions still to
come) and after (the new plan):

- `more` / `less` a subject: its minutes went up / down (down to none also counts for "less");
- `avoid_periods` / `free_days` / `not_before` / `not_after`: no minute lies in the avoided
  period or on the free day, no session starts before / ends after the time;
- `prefer_period`: the period's share of the minutes went up, or is already all of them;
- `session_length`: the mean session length went down / up;
- `daily_load`: the busiest day got lighter / heavier, or it stayed and the total went down / up.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID
from zoneinfo import ZoneInfo

from ai.scheduling.objective import PERIODS
from schediora_contracts.local_time import minutes_of

DAY_MINUTES = 24 * 60


class Timed(Protocol):
    subject_id: UUID | None
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Measures:
    minutes: int
    by_subject: Counter
    by_period: Counter
    """Minutes whose local wall time lies in each part of the day."""
    by_weekday: Counter
    """Minutes starting on each local weekday (0 = Monday)."""
    sessions: int
    busiest_day: int
    earliest: int | None
    """Earliest local wall start (minutes after midnight), None without sessions."""
    latest: int | None
    """Latest local wall end (minutes after midnight, up to 1440)."""

    @property
    def mean_length(self) -> float:
        return self.minutes / self.sessions if self.sessions else 0.0

    def share(self, period: str) -> float:
        return self.by_period[period] / self.minutes if self.minutes else 0.0


def measure(sessions: Iterable[Timed], zone: ZoneInfo) -> Measures:
    by_subject: Counter = Counter()
    by_period: Counter = Counter()
    by_weekday: Counter = Counter()
    by_day: Counter = Counter()
    count = total = 0
    earliest: int | None = None
    latest: int | None = None
    for session in sessions:
        length = int((session.ends_at - session.starts_at).total_seconds() // 60)
        if length <= 0:
            continue
        start = session.starts_at.astimezone(zone)
        end = session.ends_at.astimezone(zone)
        low = start.hour * 60 + start.minute
        high = end.hour * 60 + end.minute + (end.date() - start.date()).days * DAY_MINUTES
        count += 1
        total += length
        by_subject[session.subject_id] += length
        by_weekday[start.weekday()] += length
        by_day[start.date()] += length
        for period, (begins, ends) in PERIODS.items():
            by_period[period] += max(min(high, ends) - max(low, begins), 0)
        earliest = low if earliest is None else min(earliest, low)
        latest = high if latest is None else max(latest, high)
    return Measures(
        minutes=total,
        by_subject=by_subject,
        by_period=by_period,
        by_weekday=by_weekday,
        sessions=count,
        busiest_day=max(by_day.values(), default=0),
        earliest=earliest,
        latest=latest,
    )


def moved(kind: str, value: object, before: Measures, after: Measures) -> bool:
    """Whether the plan measured `after` honours the wish `kind` = `value` (a field of
    `FeedbackAdjustments` and one of its values) against the plan measured `before`."""
    if kind == "more":
        return after.by_subject[value] > before.by_subject[value]
    if kind == "less":
        return after.by_subject[value] < before.by_subject[value] or after.by_subject[value] == 0
    if kind == "avoid_periods":
        return after.by_period[value] == 0
    if kind == "free_days":
        return after.by_weekday[value] == 0
    if kind == "not_before":
        return after.earliest is None or after.earliest >= minutes_of(str(value))
    if kind == "not_after":
        return after.latest is None or after.latest <= minutes_of(str(value))
    if kind == "prefer_period":
        share = after.share(str(value))
        return share > before.share(str(value)) + 1e-9 or share >= 1 - 1e-9
    if kind == "session_length":
        if value == "shorter":
            return after.mean_length < before.mean_length
        return after.mean_length > before.mean_length
    if kind == "daily_load":
        sign = -1 if value == "lighter" else 1
        busiest = sign * (after.busiest_day - before.busiest_day)
        return busiest > 0 or (busiest == 0 and sign * (after.minutes - before.minutes) > 0)
    raise ValueError(f"unknown wish {kind!r}")
