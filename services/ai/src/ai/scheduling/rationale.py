"""One line telling the student why a session is where it is."""

from datetime import date

from ai.scheduling.objective import URGENCY_HORIZON_DAYS
from schediora_contracts.common import SubjectSnapshot


def rationale(
    subject: SubjectSnapshot,
    day: date,
    *,
    hardest: int,
    kept_from_previous: bool = False,
    makeup: bool = False,
    review: bool = False,
    preferred_period: str | None = None,
) -> str:
    """`day` is the session's local date; `hardest` the highest difficulty among the subjects;
    `makeup` marks a session placing a skipped or missed one again, `review` one in the days
    right before the exam; `preferred_period` names the preferred part of the day when the
    session starts in it."""
    if kept_from_previous:
        return "Same time as in the previous plan"
    if makeup:
        return f"Makes up a missed {subject.name} session"
    if subject.exam_date is not None:
        days = (subject.exam_date - day).days
        when = "tomorrow" if days == 1 else f"in {days} days"
        if review:
            return f"Review: {subject.name} exam {when}"
        if days <= URGENCY_HORIZON_DAYS:
            return f"{subject.name} exam {when}"
    if subject.difficulty >= 4:
        label = "Hardest subject" if subject.difficulty == hardest else "Demanding subject"
        return f"{label} (difficulty {subject.difficulty})"
    if subject.target_minutes_per_week:
        return f"Toward {subject.target_minutes_per_week} min/week of {subject.name}"
    if preferred_period and preferred_period != "any":
        return f"{subject.name} in your preferred {preferred_period} time"
    return f"Regular {subject.name} practice, spread over the week"
