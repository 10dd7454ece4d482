"""The user's wall clock as instants, exact on the days a DST change skips or repeats an hour.

A local day is `[its midnight, the next midnight)`; a midnight the clock skips is the first
instant after it, a midnight it shows twice is the first one (as the planner's calendar has it).
A range of wall times on a day is the set of instants whose wall time lies in it: on a day the
clock falls back it can be two ranges, on a day it springs forward the skipped part is no time.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAY = timedelta(days=1)

Interval = tuple[datetime, datetime]
"""A half-open instant range `[start, end)`, in UTC."""


def zone_of(name: str) -> ZoneInfo:
    """The IANA zone; an unknown name falls back to UTC, as the planner's calendar does."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def minutes_of(hhmm: str) -> int:
    """`"18:30"` → 1110; `"24:00"` → 1440 (the end of the day)."""
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """Local midnight that starts `day`: the first instant whose local date is `day`."""
    wall = datetime.combine(day, time())
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    shown = [t for t in sorted({first, second}) if _wall(t, zone) == wall]
    if shown:
        return shown[0]
    return _first_instant_showing(wall, zone, min(first, second), max(first, second))


def day_bounds(day: date, zone: ZoneInfo) -> Interval:
    """The local day as an instant range: 23 or 25 hours long on a DST change."""
    return day_start(day, zone), day_start(day + DAY, zone)


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def wall_ranges(day: date, start: int, end: int, zone: ZoneInfo) -> list[Interval]:
    """The instants of `day` whose wall time is `start` to `end` minutes after midnight
    (`end` may be 1440), as disjoint ranges in time order."""
    begins, ends = day_bounds(day, zone)
    midnight = datetime.combine(day, time())
    pieces: list[Interval] = []
    for low, high in _constant_offset_pieces(begins, ends, zone):
        offset = low.astimezone(zone).utcoffset() or timedelta(0)
        # Within a piece the wall clock is the instant plus one offset: invert it.
        first = (midnight + timedelta(minutes=start) - offset).replace(tzinfo=UTC)
        last = (midnight + timedelta(minutes=end) - offset).replace(tzinfo=UTC)
        low, high = max(low, first), min(high, last)
        if low >= high:
            continue
        if pieces and pieces[-1][1] == low:
            low = pieces.pop()[0]
        pieces.append((low, high))
    return pieces


def _constant_offset_pieces(begins: datetime, ends: datetime, zone: ZoneInfo) -> list[Interval]:
    """`[begins, ends)` split where the zone's UTC offset changes (at most once in a day)."""
    last = ends - timedelta(seconds=1)
    if begins.astimezone(zone).utcoffset() == last.astimezone(zone).utcoffset():
        return [(begins, ends)]
    change = _first_instant_with_offset_of(last, zone, begins)
    return [(begins, change), (change, ends)]


def _wall(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


def _first_instant_showing(
    wall: datetime, zone: ZoneInfo, low: datetime, high: datetime
) -> datetime:
    """`wall` falls in a gap: the first instant in `(low, high]` whose wall time is past it."""
    return _bisect(low, high, lambda t: _wall(t, zone) >= wall)


def _first_instant_with_offset_of(late: datetime, zone: ZoneInfo, early: datetime) -> datetime:
    offset = late.astimezone(zone).utcoffset()
    return _bisect(early, late, lambda t: t.astimezone(zone).utcoffset() == offset)


def _bisect(low: datetime, high: datetime, reached) -> datetime:
    """The first whole second in `(low, high]` where `reached` holds (it holds from there on)."""
    lo, hi = int(low.timestamp()), int(high.timestamp())
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if reached(datetime.fromtimestamp(mid, UTC)):
            hi = mid
        else:
            lo = mid
    return datetime.fromtimestamp(hi, UTC)
