"""The dashboard's rules that need no database: ranges and rates."""

from datetime import date, timedelta
from typing import Literal

Range = Literal["7d", "30d"]
RANGE_DAYS: dict[str, int] = {"7d": 7, "30d": 30}


def days_ending(today: date, count: int) -> list[date]:
    """`count` local days ending with `today`, oldest first."""
    return [today - timedelta(days=offset) for offset in range(count - 1, -1, -1)]


def completion_rate(completed_minutes: int, planned_minutes: int) -> float:
    """Completed over planned minutes, 0 when nothing is planned. It can pass 1: a student who
    studied longer than planned reports more `actual_minutes` than were scheduled."""
    if planned_minutes == 0:
        return 0.0
    return round(completed_minutes / planned_minutes, 4)
