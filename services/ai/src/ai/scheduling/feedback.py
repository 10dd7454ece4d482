"""The student's feedback on the last plan as concrete adjustments of the next one.

`adjustments(request)` reads `request.feedback` (`rating` 1-5 and free-text `comments`) with the
small set of rules below and returns an `Adjustments` value; `Brief` applies it (see `brief`).
Comments are matched case-insensitively; every rule that matches applies, and each applied rule
is named in `Adjustments.applied` (reported in `quality["feedback"]`).

- low rating (1 or 2): daily load -25% — `daily_load -25%`;
- too much ("too much", "too many sessions", "overwhelming", "exhausting", "lighter"): daily load
  -25% — `daily_load -25%` (once, with a low rating too);
- no period ("no mornings", "no more mornings", "not in the afternoon", "avoid evenings"): that
  part of the day is removed from the windows — `no morning`;
- period only ("evenings only", "only in the morning"): all but that part of the day is removed
  — `only evening`;
- not after ("not after 9pm", "nothing after 21:30", "no later than 10 pm", "finish by 20"): the
  windows end by then — `not after 21:00`;
- not before ("not before 10am", "no earlier than 9", "start after 8:30"): the windows start
  from then — `not before 10:00`;
- no weekends ("no weekends", "weekdays only"): Saturday and Sunday windows are removed —
  `no weekend`;
- prefer period ("prefer mornings", "more evenings", "better in the afternoon"): the preferred
  part of the day — `prefer morning`;
- more subject ("more calculus", "more time on calculus", "focus on calculus"): the subject's
  need x1.5 — `more Calculus`;
- less subject ("less biology", "fewer biology", "no more biology", "too much biology"): the
  subject's need x0.5 — `less Biology`;
- too long ("too long", "shorter sessions"): sessions -25% (to 5 minutes, at least 15) —
  `sessions -25%`;
- too short ("too short", "longer sessions"): sessions +25% (to 5 minutes, at most 240) —
  `sessions +25%`.

The parts of the day are those of `objective.PERIODS` (morning 05-12, afternoon 12-17, evening
17-23). "Daily load -25%" caps each day at 75% (rounded down to 5 minutes, at least 15) of the
heaviest day of the previous plan, or of `daily_goal_minutes` when there is no previous plan (or
it was heavier). A clock time is `9pm`, `9:30 pm`, `21`, `21:30`, `21h`, `noon` or `midnight`; a
bare hour below 12 after "not after" / "no later than" / "finish by" is read as pm ("not after
9" is 21:00), elsewhere as written. A subject is named by its full name or by a word of it at
least 4 letters long that no other subject's name contains.
"""

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from uuid import UUID

from ai.scheduling.local_time import local_date, zone_of
from ai.scheduling.objective import PERIODS
from schediora_contracts.events import PlanRequested

LOAD_FACTOR = 0.75
LENGTH_FACTORS = {"shorter": 0.75, "longer": 1.25}
SHARE_FACTORS = {"more": 1.5, "less": 0.5}
WEEKEND = frozenset({5, 6})
DAY_MINUTES = 24 * 60

_PERIOD = r"(morning|afternoon|evening)s?"
_TIME = r"(noon|midnight|\d{1,2}(?::\d{2})?\s*(?:am|pm|h)?)\b"
_HEAVY = re.compile(
    r"\btoo (?:much|many sessions|heavy|busy)\b|overwhelm|exhaust|burn(?:ed|t)? out|\blighter\b"
)
_NO_PERIOD = re.compile(
    rf"\b(?:no more|no|not in the|not during the|avoid|avoid the|hate|skip the|skip)\s+{_PERIOD}"
)
_PERIOD_ONLY = re.compile(rf"\bonly (?:in the |during the )?{_PERIOD}|\b{_PERIOD} only\b")
_PREFER = re.compile(
    r"(?<!no )(?<!not )\b(?:prefer(?:ably)?|rather|more|better in the|better)\s+"
    rf"(?:the\s+|in the\s+)?{_PERIOD}"
)
_NOT_AFTER = re.compile(
    rf"\b(?:(?:not|nothing|no sessions?|no study(?:ing)?)\s+(?:after|past|later than)"
    rf"|no later than|finish(?:ed)? by|done by|stop by)\s+{_TIME}"
)
_NOT_BEFORE = re.compile(
    rf"\b(?:(?:not|nothing|no sessions?|no study(?:ing)?)\s+before|no earlier than"
    rf"|start (?:after|from|at))\s+{_TIME}"
)
_NO_WEEKEND = re.compile(
    r"\bno (?:study(?:ing)? (?:on )?)?weekends?\b|\bnot on (?:the )?weekends?\b"
    r"|\bweekdays only\b|\bonly (?:on )?weekdays\b"
)
_SHORTER = re.compile(r"\btoo long\b|\bshorter sessions?\b|\bsessions? (?:are|were) long\b")
_LONGER = re.compile(r"\btoo short\b|\blonger sessions?\b|\bsessions? (?:are|were) short\b")


@dataclass(frozen=True)
class Adjustments:
    """What the feedback changes; the defaults change nothing."""

    daily_goal_minutes: int | None = None
    """The lowered daily cap, or None."""
    session_minutes: int | None = None
    """The new session length, or None."""
    blocked: tuple[tuple[int, int], ...] = ()
    """Local wall-time ranges (minutes after midnight) removed from every window."""
    blocked_weekdays: frozenset[int] = frozenset()
    preferred_time_of_day: str | None = None
    shares: Mapping[UUID, float] = field(default_factory=dict)
    """A subject's need factor: 1.5 for "more", 0.5 for "less"."""
    applied: tuple[str, ...] = ()
    """The rules that matched, by name, in the order of the table above."""
    not_applied: tuple[str, ...] = ()
    """Time rules that matched but would have left no free time, so were set aside."""

    @property
    def restricts_time(self) -> bool:
        return bool(self.blocked or self.blocked_weekdays)

    def without_time_rules(self) -> "Adjustments":
        """The same adjustments less those of the windows (when they would leave no time)."""
        timed = ("no ", "only ", "not after", "not before")
        return Adjustments(
            daily_goal_minutes=self.daily_goal_minutes,
            session_minutes=self.session_minutes,
            preferred_time_of_day=self.preferred_time_of_day,
            shares=self.shares,
            applied=tuple(a for a in self.applied if not a.startswith(timed)),
            not_applied=tuple(a for a in self.applied if a.startswith(timed)),
        )


NONE = Adjustments()


def adjustments(request: PlanRequested) -> Adjustments:
    """The adjustments `request.feedback` asks for (none without feedback)."""
    feedback = request.feedback
    if feedback is None:
        return NONE
    text = " ".join((feedback.comments or "").lower().replace("\u2019", "'").split())
    applied: list[str] = []
    prefs = request.preferences

    daily_goal = None
    if feedback.rating <= 2 or _HEAVY.search(_without_subject_phrases(text, request)):
        base = min(prefs.daily_goal_minutes, _heaviest_previous_day(request) or DAY_MINUTES)
        daily_goal = max(15, math.floor(base * LOAD_FACTOR / 5) * 5)
        applied.append("daily_load -25%")

    blocked: list[tuple[int, int]] = []
    for period in _unique(m.group(1) for m in _NO_PERIOD.finditer(text)):
        blocked.append(PERIODS[period])
        applied.append(f"no {period}")
    for match in _PERIOD_ONLY.finditer(text):
        period = match.group(1) or match.group(2)
        if f"only {period}" in applied:
            continue
        start, end = PERIODS[period]
        blocked.extend(r for r in ((0, start), (end, DAY_MINUTES)) if r[0] < r[1])
        applied.append(f"only {period}")
    if match := _NOT_AFTER.search(text):
        latest = _clock(match.group(1), evening=True)
        if latest is not None and latest > 0:
            blocked.append((latest, DAY_MINUTES))
            applied.append(f"not after {_hhmm(latest)}")
    if match := _NOT_BEFORE.search(text):
        earliest = _clock(match.group(1), evening=False)
        if earliest is not None and earliest < DAY_MINUTES:
            blocked.append((0, earliest))
            applied.append(f"not before {_hhmm(earliest)}")
    weekdays = frozenset()
    if _NO_WEEKEND.search(text):
        weekdays = WEEKEND
        applied.append("no weekend")

    preferred = None
    for match in _PREFER.finditer(text):
        if f"no {match.group(1)}" not in applied:
            preferred = match.group(1)
            applied.append(f"prefer {preferred}")
            break

    shares = _subject_shares(text, request, applied)

    session_minutes = None
    for direction, pattern in (("shorter", _SHORTER), ("longer", _LONGER)):
        if session_minutes is None and pattern.search(text):
            factor = LENGTH_FACTORS[direction]
            scaled = round(prefs.session_minutes * factor / 5) * 5
            session_minutes = min(max(scaled, 15), 240)
            applied.append(
                f"sessions {'-' if factor < 1 else '+'}{abs(round(factor * 100) - 100)}%"
            )

    return Adjustments(
        daily_goal_minutes=daily_goal,
        session_minutes=session_minutes,
        blocked=tuple(blocked),
        blocked_weekdays=weekdays,
        preferred_time_of_day=preferred,
        shares=shares,
        applied=tuple(applied),
    )


def _subject_shares(text: str, request: PlanRequested, applied: list[str]) -> dict[UUID, float]:
    shares: dict[UUID, float] = {}
    for subject, names in _subject_names(request):
        for name in names:
            word = re.escape(name)
            less = re.search(
                r"\b(?:less|fewer|no more|not so much|too much)\s+"
                rf"(?:time\s+(?:on|for)\s+)?{word}\b",
                text,
            )
            more = re.search(
                rf"(?<!no )\b(?:more\s+(?:time\s+(?:on|for)\s+)?|focus\s+on\s+){word}\b", text
            )
            direction = "less" if less else "more" if more else None
            if direction and subject.subject_id not in shares:
                shares[subject.subject_id] = SHARE_FACTORS[direction]
                applied.append(f"{direction} {subject.name}")
    return shares


def _subject_names(request: PlanRequested):
    """Each subject with the names a comment may use for it (full name, distinctive words)."""
    lowered = [s.name.lower().strip() for s in request.subjects]
    for subject, name in zip(request.subjects, lowered, strict=True):
        words = [
            w
            for w in re.findall(r"[^\W\d_]{4,}", name)
            if w != name and sum(w in other for other in lowered) == 1
        ]
        yield subject, [n for n in (name, *words) if n]


def _without_subject_phrases(text: str, request: PlanRequested) -> str:
    """`text` less "too much <subject>", which asks for less of a subject, not a lighter day."""
    for _, names in _subject_names(request):
        for name in names:
            text = re.sub(rf"too much\s+(?:time\s+(?:on|for)\s+)?{re.escape(name)}\b", "", text)
    return text


def _heaviest_previous_day(request: PlanRequested) -> int:
    """Minutes of the busiest local day of the plan being replaced (0 without one)."""
    zone = zone_of(request.timezone)
    days: dict = {}
    for session in request.previous_sessions:
        if session.ends_at > session.starts_at:
            day = local_date(session.starts_at, zone)
            days[day] = days.get(day, timedelta()) + (session.ends_at - session.starts_at)
    return int(max(days.values()).total_seconds() // 60) if days else 0


def _clock(text: str, *, evening: bool) -> int | None:
    """Minutes after midnight of a clock time in a comment; None when it is not one."""
    if text == "noon":
        return 12 * 60
    if text == "midnight":
        return DAY_MINUTES
    match = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?\s*(am|pm|h)?", text)
    if match is None:
        return None
    hour, minute, suffix = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if hour > 24 or minute > 59:
        return None
    if suffix in ("am", "pm"):
        if hour == 0 or hour > 12:
            return None
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    elif suffix is None and evening and 1 <= hour < 12:
        hour += 12
    return min(hour * 60 + minute, DAY_MINUTES)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _unique(items) -> list:
    seen: list = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen
