"""What the exams need: each subject's minutes this week, its fair share of the week's room, and
the even level of each day. The shortfall of a plan is measured against the need.

- A subject's **weekly need** is its `target_minutes_per_week` when it has one; otherwise
  30 minutes per difficulty step plus 30 (60 for difficulty 1 to 180 for 5), times 1 + its exam's
  proximity (x2 for an exam tomorrow, x1 for one 21 or more days away or none), rounded to 5.
- Feedback scales it ("more calculus" x1.5, "less biology" x0.5).
- Its **need** in this plan is that, less the minutes of its kept sessions (already studied this
  week), and never less than the minutes of its skipped or missed sessions (to be made up).
- The **shortfall** of a subject is its need less its planned minutes, when positive:
  `quality["shortfall"]` lists every subject with one, so a week too short for what the exams
  need says so instead of silently planning less.
"""

import math
from collections.abc import Sequence
from datetime import date

from ai.scheduling.objective import proximity
from schediora_contracts.common import SubjectSnapshot

NEED_PER_DIFFICULTY = 30
"""Default weekly minutes per difficulty step, plus one step."""


def weekly_need(subject: SubjectSnapshot, today: date, factor: float = 1.0) -> int:
    """Minutes the subject needs in a week that starts on `today`, before kept sessions."""
    if subject.target_minutes_per_week is not None:
        base = float(subject.target_minutes_per_week)
    else:
        base = NEED_PER_DIFFICULTY * (subject.difficulty + 1) * (1 + proximity(subject, today))
    return _round5(base * factor)


def need(weekly: int, kept: int, makeup: int) -> int:
    return max(weekly - kept, makeup, 0)


def fair_shares(
    needs: Sequence[int], targeted: Sequence[bool], caps: Sequence[int], room: int
) -> list[int]:
    """Each subject's fair share of the week's `room` minutes: first the room is shared in
    proportion to the needs, up to each need (so a tight week shares its shortfall in
    proportion); what is left goes to the subjects without a target, in proportion to their
    needs. No share passes the subject's `caps` (the room before its exam)."""
    first = proportional_fill(
        min(room, sum(needs)), needs, [min(n, c) for n, c in zip(needs, caps, strict=True)]
    )
    left = room - sum(first)
    open_weights = [0 if t else n for n, t in zip(needs, targeted, strict=True)]
    second = proportional_fill(
        left, open_weights, [c - f for c, f in zip(caps, first, strict=True)]
    )
    return [math.floor(a + b) for a, b in zip(first, second, strict=True)]


def fair_shares_asked_first(
    needs: Sequence[int],
    targeted: Sequence[bool],
    caps: Sequence[int],
    room: int,
    asked: Sequence[bool],
) -> list[int]:
    """`fair_shares`, except that the subjects the student asked more of (`asked`) have their
    needs met first: a week too short (a lighter load) takes from the others."""
    if not any(asked):
        return fair_shares(needs, targeted, caps, room)
    wanted = [min(n, c) if a else 0 for n, c, a in zip(needs, caps, asked, strict=True)]
    first = proportional_fill(min(room, sum(wanted)), wanted, wanted)
    rest = fair_shares(
        [0 if a else n for n, a in zip(needs, asked, strict=True)],
        targeted,
        [0 if a else c for c, a in zip(caps, asked, strict=True)],
        room - math.ceil(sum(first)),
    )
    return [math.floor(f) + r for f, r in zip(first, rest, strict=True)]


def proportional_fill(total: float, weights: Sequence[float], caps: Sequence[float]) -> list[float]:
    """`total` shared in proportion to `weights`, none above its cap (what a capped one cannot
    take goes to the others, again in proportion)."""
    given = [0.0] * len(weights)
    active = [i for i, w in enumerate(weights) if w > 0 and caps[i] > 0]
    left = float(total)
    while active and left > 1e-9:
        weight = sum(weights[i] for i in active)
        full = [i for i in active if given[i] + left * weights[i] / weight >= caps[i]]
        if not full:
            for i in active:
                given[i] += left * weights[i] / weight
            break
        for i in full:
            left -= caps[i] - given[i]
            given[i] = float(caps[i])
        active = [i for i in active if i not in full]
    return given


def levels(total: int, rooms: Sequence[int]) -> list[float]:
    """An even spread of `total` minutes over days with `rooms` free minutes: each day gets
    the same, except that a day without room for it gets all its room (water filling)."""
    return proportional_fill(min(total, sum(rooms)), [1.0] * len(rooms), rooms)


def _round5(minutes: float) -> int:
    return int(round(minutes / 5) * 5)
