"""One line telling the student why a session is where it is."""

from datetime import date

from ai.scheduling.objective import URGENCY_HORIZON_DAYS
from schediora_contracts.common import SubjectSnapshot


def rationale(
    subject: SubjectSnapshot,
    day: date,
    *,
    hardest: int,
    kept_from_previous: bool,
    preferred_period: str | None,
) -> str:
    """`day` is the session's local date; `hardest` the highest difficulty among the subjects;
    `preferred_period` names the preferred part of the day when the session starts in it."""
    if kept_from_previous:
        return "Same time as in the previous plan"
    if subject.exam_date is not None:
        days = (subject.exam_date - day).days
        if days == 1:
            return f"{subject.name} exam tomorrow"
        if days <= URGENCY_HORIZON_DAYS:
            return f"{subject.name} exam in {days} days"
    if subject.difficulty >= 4:
        label = "Hardest subject" if subject.difficulty == hardest else "Demanding subject"
        return f"{label} (difficulty {subject.difficulty})"
    if subject.target_minutes_per_week:
        return f"Toward {subject.target_minutes_per_week} min/week of {subject.name}"
    if preferred_period:
        return f"{subject.name} in your preferred {preferred_period} time"
    return f"Regular {subject.name} practice, spread over the week"
