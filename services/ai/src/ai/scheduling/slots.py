"""The week's free time as whole minutes, and the candidate sessions the solver chooses from.

Minute 0 is the week's first local midnight; minutes count real time, so a DST day simply has
23 or 25 hours of them. Free time is every availability window, clipped to the week and to
`not_before`, less each kept session widened by the break on both sides and each busy occurrence
(the student's timetable, `request.busy`: no break needed next to a class). Every candidate lies
inside one such slot, so it is inside a window and clear of kept sessions and busy time by
construction.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ai.scheduling.week import Week
from schediora_contracts.events import PlanRequested
from schediora_contracts.local_time import day_bounds

GRID = 15
"""Minutes between candidate starts in a slot."""
ALIGN = 5
"""Slots start on a multiple of this many minutes after local midnight."""
MIN_LENGTH = 15
MAX_LENGTH = 8 * 60


@dataclass(frozen=True)
class Timeline:
    """Instants ↔ whole minutes after `origin`."""

    origin: datetime

    def minute(self, instant: datetime, *, up: bool) -> int:
        exact = (instant - self.origin).total_seconds() / 60
        return math.ceil(exact) if up else math.floor(exact)

    def instant(self, minute: int) -> datetime:
        return self.origin + timedelta(minutes=minute)


@dataclass(frozen=True)
class Slot:
    start: int
    end: int
    day: date


@dataclass(frozen=True, order=True)
class Candidate:
    start: int
    end: int
    day: date
    steps: int
    """Grid steps between its slot's start and its own: the tie-break prefers early ones."""

    @property
    def length(self) -> int:
        return self.end - self.start


def free_slots(request: PlanRequested, week: Week, timeline: Timeline) -> list[Slot]:
    """Free stretches of the availability windows, at least `MIN_LENGTH` long, in time order."""
    pause = request.preferences.break_minutes
    blocked = sorted(
        (
            timeline.minute(keep.starts_at, up=False) - pause,
            timeline.minute(keep.ends_at, up=True) + pause,
        )
        for keep in request.keep_sessions
    )
    blocked += [
        (timeline.minute(busy.starts_at, up=False), timeline.minute(busy.ends_at, up=True))
        for busy in request.busy
    ]
    blocked.sort()
    lower = timeline.minute(week.earliest, up=True)
    upper = timeline.minute(week.end, up=False)
    slots = []
    for day in week.days:
        for begins, ends in week.windows_on(day):
            start = max(timeline.minute(begins, up=True), lower)
            end = min(timeline.minute(ends, up=False), upper)
            for piece_start, piece_end in _subtract(start, end, blocked):
                aligned = _align_up(piece_start, ALIGN)
                if piece_end - aligned >= MIN_LENGTH:
                    slots.append(Slot(aligned, piece_end, day))
    return sorted(slots, key=lambda slot: (slot.start, slot.end))


def candidates(slots: Iterable[Slot], length: int, pause: int) -> list[Candidate]:
    """Sessions of `length` minutes on a `GRID` from each slot's start, packed back to back
    with `pause` between, or ending at the slot's end; a slot shorter than `length` gives one
    session as long as it (in `ALIGN` steps)."""
    found: dict[tuple[int, int], Candidate] = {}
    for slot in slots:
        room = slot.end - slot.start
        if room < length:
            short = room - room % ALIGN
            if short >= MIN_LENGTH:
                found.setdefault(
                    (slot.start, slot.start + short),
                    Candidate(slot.start, slot.start + short, slot.day, 0),
                )
            continue
        last = slot.end - length
        starts = set(range(slot.start, last + 1, GRID))
        starts |= set(range(slot.start, last + 1, length + pause))
        starts.add(last)
        for start in sorted(starts):
            steps = (start - slot.start) // GRID
            found.setdefault(
                (start, start + length), Candidate(start, start + length, slot.day, steps)
            )
    return sorted(found.values())


def slot_containing(slots: Iterable[Slot], start: int, end: int) -> Slot | None:
    return next((slot for slot in slots if slot.start <= start and end <= slot.end), None)


def day_budgets(request: PlanRequested, week: Week) -> dict[date, int]:
    """Minutes still free under the daily goal on each day, after the kept sessions."""
    cap = request.preferences.daily_goal_minutes
    budgets = {}
    for day in week.days:
        start, end = day_bounds(day, week.zone)
        kept = sum(
            max((min(k.ends_at, end) - max(k.starts_at, start)).total_seconds(), 0)
            for k in request.keep_sessions
        )
        budgets[day] = cap - math.ceil(kept / 60)
    return budgets


def _subtract(start: int, end: int, blocked: list[tuple[int, int]]) -> list[tuple[int, int]]:
    pieces = []
    cursor = start
    for block_start, block_end in blocked:
        if block_end <= cursor or block_start >= end:
            continue
        if block_start > cursor:
            pieces.append((cursor, block_start))
        cursor = max(cursor, block_end)
    if cursor < end:
        pieces.append((cursor, end))
    return pieces


def _align_up(minute: int, step: int) -> int:
    return -(-minute // step) * step
