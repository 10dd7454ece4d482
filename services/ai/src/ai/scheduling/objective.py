"""The weights of the solver's objective and the per-subject facts they are computed from.

The objective is one sum of named, weighted terms (integers, maximised; see `model`):

- `urgency`: per minute of a subject up to its need (see `needs`), its priority: 100, plus up to
  200 for a near exam (falling linearly to 0 at 21 days), plus 15 per difficulty step above 3
  (less below); the first half of the need counts twice, so a tight week gives every subject
  some of its need before any gets all of it, unless one is over twice as pressing;
- `makeup`: per minute re-placing a skipped or missed session of the replaced plan;
- `fairness`: per minute of a subject up to its fair share (see `needs.fair_shares`);
- `fill`: per minute of a subject without a weekly target (the daily goal is time to use);
- `over_target`: a penalty per minute past a subject's need when it has a target;
- `spacing`: per (subject, day) with a session of the subject, so it spreads over the week;
- `interleaving`: a penalty per repeat a day's subjects force however the day is ordered
  (max(0, 2 x a subject's sessions - the day's sessions - 1)); the order itself is chosen after
  solving (see `interleave`), as it changes no term;
- `daily_load`: a penalty per minute a day's load is off the even level (see `needs.levels`);
- `review`: per exam with a session in the two days before it;
- `time_of_day`: per minute of a session that starts in the preferred part of the day (a
  tie-break, or `asked_time_of_day` when the feedback asked for that part of the day);
- `stability`: per session of the replaced plan kept at its time with its subject (reschedule);
- `tidy`: a tie-break against starting later in a free slot than needed.
"""

from dataclasses import asdict, dataclass
from datetime import date

from schediora_contracts.common import SubjectSnapshot

URGENCY_HORIZON_DAYS = 21
"""An exam further away than this adds no urgency."""
REVIEW_DAYS = 2
"""A review session lies in this many days right before an exam."""

PERIODS = {
    "morning": (5 * 60, 12 * 60),
    "afternoon": (12 * 60, 17 * 60),
    "evening": (17 * 60, 23 * 60),
}
"""Local wall times (minutes after midnight, half-open) of the parts of the day."""


@dataclass(frozen=True)
class Weights:
    minutes: int = 100
    """Base priority per minute of need."""
    urgency: int = 200
    """Extra priority per minute for an exam tomorrow, falling linearly to 0 at the horizon."""
    difficulty: int = 15
    """Extra priority per minute per difficulty step above 3 (negative below)."""
    makeup: int = 300
    fairness: int = 300
    fill: int = 20
    over_target: int = 30
    spacing: int = 600
    interleaving: int = 400
    daily_load: int = 8
    review: int = 1500
    time_of_day: int = 10
    asked_time_of_day: int = 400
    """`time_of_day` when the feedback asked for the period: above spacing and stability."""
    stability: int = 2000
    tidy: int = 1

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


WEIGHTS = Weights()


def proximity(subject: SubjectSnapshot, today: date) -> float:
    """1 for an exam tomorrow, falling linearly to 0 at the horizon; 0 without an exam."""
    if subject.exam_date is None:
        return 0.0
    days = (subject.exam_date - today).days
    return max(URGENCY_HORIZON_DAYS - days, 0) / URGENCY_HORIZON_DAYS


def priority(subject: SubjectSnapshot, today: date, weights: Weights = WEIGHTS) -> int:
    """What one minute of `subject`'s need is worth in a plan starting on `today` (positive)."""
    return (
        weights.minutes
        + round(weights.urgency * proximity(subject, today))
        + weights.difficulty * (subject.difficulty - 3)
    )


def in_preferred_period(preferred: str, local_minute: int) -> bool:
    """Whether a session starting `local_minute` after local midnight suits `preferred`
    ("any" suits every time)."""
    if preferred == "any":
        return True
    if preferred not in PERIODS:
        return False
    start, end = PERIODS[preferred]
    return start <= local_minute < end
