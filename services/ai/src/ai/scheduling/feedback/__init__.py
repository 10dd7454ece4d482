"""The student's feedback on the last plan as concrete changes of the next one.

A reschedule's `request.feedback` holds a rating (1-5), the app's chips (`adjustments`, a
`FeedbackAdjustments`) and a free-text comment. The comment is read by `interpret` into the same
`FeedbackAdjustments` (with the parts that asked for nothing it understood), `merge` joins the
two, `apply` turns the wishes into changes of the request (and says which it could not meet),
`report` says all of it in `quality["feedback"]` as a `FeedbackReport`.
"""

from ai.scheduling.feedback.apply import NONE, Adjustments, Limits, apply, clipped
from ai.scheduling.feedback.interpret import interpret
from ai.scheduling.feedback.merge import merge
from ai.scheduling.feedback.report import report
from schediora_contracts.events import PlanRequested

__all__ = ["Adjustments", "Limits", "adjustments", "clipped", "interpret", "limits", "report"]


def adjustments(request: PlanRequested) -> Adjustments:
    """What `request.feedback` changes (nothing without feedback)."""
    feedback = request.feedback
    if feedback is None:
        return NONE
    understood = interpret(feedback.comments or "", request.subjects)
    wishes = merge(feedback.adjustments, understood.wishes)
    return apply(request, wishes, understood.not_understood)


def limits(request: PlanRequested) -> Limits:
    """The hard wishes (free days, avoided times) a plan for `request` is held to."""
    return adjustments(request).limits
