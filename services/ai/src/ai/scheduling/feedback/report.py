"""What the generator made of the feedback, as `quality["feedback"]`: the `FeedbackReport` the
ai publishes on `PlanGenerated.feedback`, as a JSON-able dict.

On a reschedule, each soft wish that was applied (a subject's share, the preferred period, the
session length, the load) is measured on the plan against the replaced plan's sessions still to
come (`measure.moved`); one the plan could not honour (no room for more of a subject, a daily
goal already full) moves from `applied` to `not_met`, so the student is never told a wish was
done when the plan does not show it.
"""

from collections.abc import Sequence
from typing import Any

from ai.scheduling.feedback.apply import Adjustments, remaining
from ai.scheduling.feedback.measure import measure, moved
from schediora_contracts.common import FeedbackReport, PlannedSession
from schediora_contracts.events import PlanRequested
from schediora_contracts.local_time import zone_of

NOT_MOVED = "the plan could not move that way"


def report(
    adjusted: Adjustments, request: PlanRequested, sessions: Sequence[PlannedSession]
) -> dict[str, Any]:
    applied, not_met = list(adjusted.applied), list(adjusted.not_met)
    replaced = remaining(request)
    if replaced and adjusted.checks:
        zone = zone_of(request.timezone)
        before, after = measure(replaced, zone), measure(sessions, zone)
        for name, kind, value in adjusted.checks:
            if not moved(kind, value, before, after):
                applied.remove(name)
                not_met.append(f"{name} ({NOT_MOVED})")
    return FeedbackReport(
        understood=adjusted.wishes,
        applied=tuple(applied),
        not_met=tuple(not_met),
        not_understood=adjusted.not_understood,
    ).model_dump(mode="json")
