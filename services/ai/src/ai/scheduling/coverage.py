"""Coverage warnings: the exams a plan cannot fully prepare for. Computed once, here, for every
plan that passed validation, whatever made it (the solver or an LLM): each subject with an exam
whose need this week (`ai.scheduling.needs`) exceeds the minutes the plan gives it."""

from collections.abc import Sequence

from ai.scheduling.brief import Brief
from ai.scheduling.schedule import NoFeasiblePlan
from schediora_contracts import PlanRequested
from schediora_contracts.common import CoverageWarning, PlannedSession


def warnings(
    request: PlanRequested, sessions: Sequence[PlannedSession]
) -> tuple[CoverageWarning, ...]:
    """One `exam_not_covered` per subject with an exam that gets less than it needs, in the
    request's subject order; none when every exam's need is met."""
    try:
        brief = Brief.of(request)
    except NoFeasiblePlan:
        return ()  # no time at all: the plan is empty and a refusal says so, not a warning
    planned: dict = {}
    for session in sessions:
        minutes = max(int((session.ends_at - session.starts_at).total_seconds() // 60), 0)
        planned[session.subject_id] = planned.get(session.subject_id, 0) + minutes
    found = []
    for subject in brief.subjects:
        snapshot = request.subjects[subject.index]
        given = planned.get(snapshot.subject_id, 0)
        if snapshot.exam_date is not None and given < subject.need:
            found.append(
                CoverageWarning(
                    subject_id=snapshot.subject_id,
                    needed_minutes=subject.need,
                    planned_minutes=given,
                )
            )
    return tuple(found)
