"""The greedy baseline: a simple plan that keeps every hard constraint. It is the solver's
fallback when its limit comes before any solution, and what `benchmarks.plan_quality` compares
the solver's plans with.

Earliest first: walk the candidate sessions in time order and take one when it starts at least a
break after the last one taken, fits what is left of its day's goal and the session limit, and
some subject may have it; it goes to the subject with the most minutes left below its fair share
(ties: the higher priority, then the request's order). A subject with a weekly target stops at
its need; one without takes sessions past its share when no other wants them.
"""

from ai.scheduling.problem import Problem
from schediora_contracts.limits import SESSIONS_PER_PLAN_MAX


def greedy_plan(problem: Problem) -> list[tuple[int, int]]:
    """(candidate, subject) pairs, in time order."""
    brief = problem.brief
    pause = brief.effective.preferences.break_minutes
    left = dict(brief.budgets)
    minutes = [0] * len(brief.subjects)
    room = SESSIONS_PER_PLAN_MAX - len(brief.request.keep_sessions)
    chosen: list[tuple[int, int]] = []
    free_from: int | None = None
    for c, candidate in enumerate(problem.candidates):
        if len(chosen) >= room:
            break
        if free_from is not None and candidate.start < free_from:
            continue
        if candidate.length > left.get(candidate.day, 0):
            continue
        wanting = [
            s
            for s, subject in enumerate(brief.subjects)
            if problem.eligible(c, s) and (not subject.targeted or minutes[s] < subject.need)
        ]
        if not wanting:
            continue
        s = max(
            wanting,
            key=lambda s: (
                brief.subjects[s].fair_share - minutes[s],
                brief.subjects[s].priority,
                -s,
            ),
        )
        chosen.append((c, s))
        minutes[s] += candidate.length
        left[candidate.day] -= candidate.length
        free_from = candidate.end + pause
    return chosen
