"""The solver's soft goals as named, weighted terms, and the facts they are computed from.

The objective is the sum of these terms, each a weight times what it counts (integers, maximised):

- `minutes`: each planned minute of a subject, up to what is left of its weekly target;
- `urgency`: extra per such minute for a subject whose exam is near (most the day before);
- `difficulty`: extra per such minute for a harder subject (less for an easier one);
- `over_target`: a penalty per minute beyond a subject's `target_minutes_per_week`;
- `balance`: a subject without a target keeps its full value only up to its fair share of the
  week's free time (in proportion to its value per minute); past it, most value is lost, so
  time goes to the others before one subject takes it all;
- `time_of_day`: per minute of a session that starts in the preferred part of the day;
- `spread`: per (subject, day) pair with a session, so a subject spreads over the week;
- `stability`: per session of the replaced plan kept at the same time (reschedule);
- `tidy`: a tie-break against starting later in a free slot than needed.
"""

from dataclasses import asdict, dataclass
from datetime import date

from schediora_contracts.common import SubjectSnapshot

URGENCY_HORIZON_DAYS = 21
"""An exam further away than this adds no urgency."""

PERIODS = {
    "morning": (5 * 60, 12 * 60),
    "afternoon": (12 * 60, 17 * 60),
    "evening": (17 * 60, 23 * 60),
}
"""Local start times (minutes after midnight, half-open) of the parts of the day."""


@dataclass(frozen=True)
class Weights:
    minutes: int = 100
    urgency: int = 200
    """Per minute at the full urgency of an exam tomorrow, falling linearly to 0 at the horizon."""
    difficulty: int = 15
    """Per minute per difficulty step above 3 (negative below)."""
    over_target: int = 30
    balance: int = 75
    """Percent of a subject's value per minute lost past its fair share."""
    time_of_day: int = 10
    spread: int = 600
    stability: int = 2000
    tidy: int = 1

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


WEIGHTS = Weights()


def urgency(subject: SubjectSnapshot, today: date, weights: Weights = WEIGHTS) -> int:
    """Extra value per minute of `subject` for a plan that starts on `today`."""
    if subject.exam_date is None:
        return 0
    days = (subject.exam_date - today).days
    return round(weights.urgency * max(URGENCY_HORIZON_DAYS - days, 0) / URGENCY_HORIZON_DAYS)


def difficulty(subject: SubjectSnapshot, weights: Weights = WEIGHTS) -> int:
    return weights.difficulty * (subject.difficulty - 3)


def value_per_minute(subject: SubjectSnapshot, today: date, weights: Weights = WEIGHTS) -> int:
    """What one counted minute of `subject` adds to the objective (always positive)."""
    return weights.minutes + urgency(subject, today, weights) + difficulty(subject, weights)


def fair_shares(
    values: list[int], targets: list[int | None], capacity: int, unit: int
) -> list[int | None]:
    """Each untargeted subject's share of the minutes the targets leave of `capacity`, in
    proportion to its value per minute and rounded to whole sessions of `unit` minutes; None for
    a subject with a target. Whole sessions keep the model's relaxation close to integral."""
    free = max(capacity - sum(t for t in targets if t is not None), 0)
    total = sum(v for v, t in zip(values, targets, strict=True) if t is None)
    return [
        None if t is not None else round(free * v / total / unit) * unit
        for v, t in zip(values, targets, strict=True)
    ]


def in_preferred_period(preferred: str, local_minute: int) -> bool:
    """Whether a session starting `local_minute` after local midnight suits `preferred`."""
    if preferred not in PERIODS:
        return False
    start, end = PERIODS[preferred]
    return start <= local_minute < end
