"""The student's wishes (`FeedbackAdjustments`) turned into concrete changes of the plan request.

Each wish is applied deterministically, and named in `applied` when it is, in `not_met` when it
cannot be:

- `more <Subject>` / `less <Subject>`: the subject's weekly need x1.5 / x0.5. On a reschedule it
  is also kept above / below what the replaced plan gave it in the rest of the week (by a session
  at least), so the plan moves the asked way whatever else changes; a "less" subject gets no
  extra time beyond that need (it counts as one with a target) and its missed sessions are not
  made up.
- `avoid <period>`, `free <Weekday>`, `not_before HH:MM`, `not_after HH:MM` (the hard ones): the
  availability windows lose those wall times or weekdays. Each is tried in that order and set
  aside (not met) when, with those before it, it would leave no free time in the week at all;
  the validator holds the plan to those applied (`limits`).
- `prefer <period>`: the preferred part of the day, weighted strongly (`ASKED_TIME_OF_DAY`)
  rather than as a tie-break; not met when no window reaches into that period, or when it is
  also avoided.
- `session_length shorter` / `longer`: sessions 25 % shorter / longer than the replaced plan's
  (mean length, or the preference without one), to 5 minutes, within 15-240 and the daily goal.
- `daily_load lighter`: each day at most 75 % of the replaced plan's busiest day in the rest of
  the week (or of the daily goal), never below one session. `heavier`: every subject's need x1.5,
  within the student's own daily goal (which the plan never passes).
- A rating of 1 or 2 lightens the load too (named `daily_load lighter (rating N)`), unless the
  wishes ask for a heavier load; with the wishes above it takes from what they do not keep: a
  "more" subject keeps its floor, the preferred period keeps its weight, and the replaced plan's
  sessions count as worth keeping only where they agree with the wishes (see `agrees`).

The parts of the day are those of `objective.PERIODS` (morning 05-12, afternoon 12-17, evening
17-23).
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from uuid import UUID

from ai.scheduling.objective import PERIODS
from ai.scheduling.slots import Timeline, free_slots
from ai.scheduling.week import Week
from schediora_contracts.common import (
    AvailabilityWindow,
    FeedbackAdjustments,
    SessionSnapshot,
)
from schediora_contracts.events import PlanRequested
from schediora_contracts.local_time import local_date, minutes_of, zone_of

LOAD_FACTOR = 0.75
LENGTH_FACTORS = {"shorter": 0.75, "longer": 1.25}
SHARE_FACTORS = {"more": 1.5, "less": 0.5}
HEAVIER_FACTOR = 1.5
LOW_RATING = 2
"""A rating at or below this lightens the load."""
DAY_MINUTES = 24 * 60
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Limits:
    """The hard wishes the plan is held to: wall-time ranges (minutes after local midnight) and
    weekdays no session may touch."""

    blocked: tuple[tuple[int, int, str], ...] = ()
    """(start, end, name) of each blocked range, `name` the wish it comes from."""
    free_days: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.blocked or self.free_days)

    def window_pieces(self, window: AvailabilityWindow) -> list[tuple[int, int]]:
        """The wall-time pieces of `window` these limits leave (none on a free day)."""
        if window.weekday in self.free_days:
            return []
        pieces = [(minutes_of(window.start), minutes_of(window.end))]
        for low, high, _ in self.blocked:
            pieces = [
                piece
                for start, end in pieces
                for piece in ((start, min(end, low)), (max(start, high), end))
                if piece[0] < piece[1]
            ]
        return pieces


@dataclass(frozen=True)
class Adjustments:
    """What the feedback changes; the defaults change nothing."""

    wishes: FeedbackAdjustments = field(default_factory=FeedbackAdjustments)
    """What was understood: the chips and the comment together."""
    limits: Limits = field(default_factory=Limits)
    daily_goal_minutes: int | None = None
    session_minutes: int | None = None
    preferred_time_of_day: str | None = None
    shares: Mapping[UUID, float] = field(default_factory=dict)
    """A subject's need factor: 1.5 for "more", 0.5 for "less", 1.5 for all when heavier."""
    floors: Mapping[UUID, int] = field(default_factory=dict)
    """Minutes a "more" subject's need is at least."""
    less: frozenset[UUID] = frozenset()
    """The "less" subjects: each counts as one with a target, and has no make-up."""
    ceilings: Mapping[UUID, int] = field(default_factory=dict)
    """Minutes a "less" subject's need is at most (on a reschedule)."""
    applied: tuple[str, ...] = ()
    not_met: tuple[str, ...] = ()
    not_understood: tuple[str, ...] = ()
    checks: tuple[tuple[str, str, object], ...] = ()
    """(name, field, value) of each applied wish the plan may fail to honour although applied
    (the soft ones), for `report` to measure against the replaced plan."""

    @property
    def restricts_time(self) -> bool:
        return bool(self.limits)

    @property
    def asked_period(self) -> bool:
        """Whether the student asked for the preferred period (so it weighs strongly)."""
        return self.preferred_time_of_day is not None

    def agrees(self, subject_id: UUID | None, local_start: int, minutes: int) -> bool:
        """Whether a session of the replaced plan agrees with the wishes, so keeping it where it
        was is worth something: not of a "less" subject, in the asked period, of the asked
        length."""
        if subject_id in self.less:
            return False
        if self.preferred_time_of_day is not None:
            start, end = PERIODS[self.preferred_time_of_day]
            if not start <= local_start < end:
                return False
        return self.session_minutes is None or minutes == self.session_minutes


NONE = Adjustments()


def apply(
    request: PlanRequested, wishes: FeedbackAdjustments, not_understood: tuple[str, ...] = ()
) -> Adjustments:
    """The concrete adjustments of `request` for `wishes` (see the module's docstring)."""
    feedback = request.feedback
    applied: list[str] = []
    not_met: list[str] = []
    checks: list[tuple[str, str, object]] = []
    prefs = request.preferences
    names = {s.subject_id: s.name for s in request.subjects}
    to_come = remaining(request)

    limits = _limits(request, wishes, applied, not_met)

    preferred = None
    if wishes.prefer_period is not None:
        period = wishes.prefer_period
        name = f"prefer {period}"
        if period in wishes.avoid_periods:
            not_met.append(f"{name} (also asked to avoid it)")
        elif not _reaches(request, limits, period):
            not_met.append(f"{name} (no {period} time in the availability)")
        else:
            preferred = period
            applied.append(name)
            checks.append((name, "prefer_period", period))

    shares: dict[UUID, float] = {}
    floors: dict[UUID, int] = {}
    ceilings: dict[UUID, int] = {}
    less: set[UUID] = set()
    length = min(prefs.session_minutes, prefs.daily_goal_minutes)
    heavier = wishes.daily_load == "heavier"
    if heavier:
        for subject in request.subjects:
            shares[subject.subject_id] = HEAVIER_FACTOR
    for subject_id in wishes.more:
        if subject_id not in names:
            continue
        shares[subject_id] = SHARE_FACTORS["more"] * (HEAVIER_FACTOR if heavier else 1.0)
        if request.previous_sessions:
            floors[subject_id] = _minutes(to_come, subject_id) + length
        applied.append(f"more {names[subject_id]}")
        checks.append((applied[-1], "more", subject_id))
    for subject_id in wishes.less:
        if subject_id not in names or subject_id in floors:
            continue
        shares[subject_id] = SHARE_FACTORS["less"]
        less.add(subject_id)
        if request.previous_sessions:
            ceilings[subject_id] = max(_minutes(to_come, subject_id) - length, 0)
        applied.append(f"less {names[subject_id]}")
        checks.append((applied[-1], "less", subject_id))

    session_minutes = None
    if wishes.session_length is not None:
        session_minutes = _session_length(request, wishes.session_length, to_come)
        name = f"session_length {wishes.session_length}"
        if session_minutes is None:
            not_met.append(f"{name} (already {length} minutes, the most the settings allow)")
        else:
            applied.append(name)
            checks.append((name, "session_length", wishes.session_length))

    daily_goal = None
    rating = feedback.rating if feedback is not None else None
    lighter_by_rating = rating is not None and rating <= LOW_RATING and not heavier
    if wishes.daily_load == "lighter" or lighter_by_rating:
        name = "daily_load lighter"
        if wishes.daily_load != "lighter":
            name += f" (rating {rating})"
        longer = session_minutes if wishes.session_length == "longer" else None
        daily_goal = _lighter_goal(request, longer)
        if daily_goal is None:
            not_met.append(f"{name} (no day can be lighter)")
        else:
            applied.append(name)
            checks.append((name, "daily_load", "lighter"))
    if heavier:
        applied.append("daily_load heavier")
        checks.append((applied[-1], "daily_load", "heavier"))

    return Adjustments(
        wishes=wishes,
        limits=limits,
        daily_goal_minutes=daily_goal,
        session_minutes=session_minutes,
        preferred_time_of_day=preferred,
        shares=shares,
        floors=floors,
        less=frozenset(less),
        ceilings=ceilings,
        applied=tuple(applied),
        not_met=tuple(not_met),
        not_understood=not_understood,
        checks=tuple(checks),
    )


def clipped(
    windows: tuple[AvailabilityWindow, ...], limits: Limits
) -> tuple[AvailabilityWindow, ...]:
    """The windows less the limits' wall times and weekdays: only ever narrower."""
    return tuple(
        AvailabilityWindow.model_construct(
            weekday=window.weekday, start=_hhmm(start), end=_hhmm(end)
        )
        for window in windows
        for start, end in limits.window_pieces(window)
    )


def _limits(
    request: PlanRequested, wishes: FeedbackAdjustments, applied: list[str], not_met: list[str]
) -> Limits:
    """The hard wishes that leave some free time, tried one by one."""
    asked: list[tuple[str, Limits]] = []
    for weekday in sorted(set(wishes.free_days)):
        asked.append((f"free {WEEKDAYS[weekday]}", Limits(free_days=frozenset({weekday}))))
    for period in wishes.avoid_periods:
        name = f"avoid {period}"
        asked.append((name, Limits(blocked=((*PERIODS[period], name),))))
    if wishes.not_before is not None:
        name = f"not_before {wishes.not_before}"
        asked.append((name, Limits(blocked=((0, minutes_of(wishes.not_before), name),))))
    if wishes.not_after is not None:
        name = f"not_after {wishes.not_after}"
        latest = minutes_of(wishes.not_after)
        asked.append((name, Limits(blocked=((latest, DAY_MINUTES, name),))))
    limits = Limits()
    for name, limit in asked:
        tried = Limits(
            blocked=limits.blocked + limit.blocked, free_days=limits.free_days | limit.free_days
        )
        if _has_free_time(request, tried):
            limits = tried
            applied.append(name)
        else:
            not_met.append(f"{name} (it would leave no free time this week)")
    return limits


def _has_free_time(request: PlanRequested, limits: Limits) -> bool:
    prefs = request.preferences
    narrowed = request.model_copy(
        update={
            "preferences": prefs.model_copy(
                update={"availability": clipped(prefs.availability, limits)}
            )
        }
    )
    week = Week.of(narrowed)
    return bool(free_slots(narrowed, week, Timeline(week.start)))


def _reaches(request: PlanRequested, limits: Limits, period: str) -> bool:
    """Whether some window, as the limits leave it, has time in `period`."""
    low, high = PERIODS[period]
    return any(
        start < high and low < end
        for window in request.preferences.availability
        for start, end in limits.window_pieces(window)
    )


def remaining(request: PlanRequested) -> list[SessionSnapshot]:
    """The replaced plan's sessions still to come: what a reschedule replans."""
    return [
        s
        for s in request.previous_sessions
        if s.status == "planned"
        and s.ends_at > s.starts_at
        and (request.not_before is None or s.starts_at >= request.not_before)
    ]


def _minutes(sessions: list[SessionSnapshot], subject_id: UUID) -> int:
    return sum(_length(s) for s in sessions if s.subject_id == subject_id)


def _length(session: SessionSnapshot) -> int:
    return int((session.ends_at - session.starts_at).total_seconds() // 60)


def _session_length(
    request: PlanRequested, direction: str, remaining: list[SessionSnapshot]
) -> int | None:
    """The new session length, or None when the settings allow no change that way."""
    prefs = request.preferences
    now = min(prefs.session_minutes, prefs.daily_goal_minutes)
    lengths = [_length(s) for s in remaining]
    if direction == "shorter":
        base = min(now, sum(lengths) / len(lengths)) if lengths else now
        scaled = min(math.floor(base * LENGTH_FACTORS[direction] / 5) * 5, now - 5)
        return scaled if scaled >= 15 else None
    base = max([now, *lengths])
    most = min(240, prefs.daily_goal_minutes)
    scaled = min(math.ceil(base * LENGTH_FACTORS[direction] / 5) * 5, most)
    return scaled if scaled > now else None


def _lighter_goal(request: PlanRequested, longer: int | None) -> int | None:
    """75 % of the busiest day still to come (or of the daily goal), at least 15 minutes and
    one session of the `longer` length asked; None when that would lighten nothing."""
    goal = request.preferences.daily_goal_minutes
    busiest = _busiest_day(request) or goal
    base = min(goal, busiest)
    lighter = max(math.floor(base * LOAD_FACTOR / 5) * 5, longer or 0, 15)
    return lighter if lighter < base else None


def _busiest_day(request: PlanRequested) -> int:
    """Minutes of the busiest local day of the replaced plan from `not_before` on (0 without)."""
    zone = zone_of(request.timezone)
    days: dict = {}
    for session in request.previous_sessions:
        if session.ends_at <= session.starts_at:
            continue
        if request.not_before is not None and session.ends_at <= request.not_before:
            continue
        day = local_date(session.starts_at, zone)
        days[day] = days.get(day, timedelta()) + (session.ends_at - session.starts_at)
    return int(max(days.values()).total_seconds() // 60) if days else 0


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
