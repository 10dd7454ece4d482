"""A quick plan that keeps every hard constraint: the solver's fallback when its limit comes
before any solution (a hint from it measured slower than none).

Earliest first: a candidate is taken when it starts at least a break after the last one taken
and fits what is left of its day's goal; it goes to the eligible subject furthest below its
target or fair share, the most valuable first.
"""

from ai.scheduling.problem import Problem


def greedy_plan(problem: Problem) -> list[tuple[int, int]]:
    """(candidate, subject) pairs, in time order."""
    pause = problem.request.preferences.break_minutes
    left = dict(problem.budgets)
    minutes = [0] * len(problem.subjects)
    chosen: list[tuple[int, int]] = []
    free_from: int | None = None
    for c, candidate in enumerate(problem.candidates):
        if free_from is not None and candidate.start < free_from:
            continue
        if candidate.length > left.get(candidate.day, 0):
            continue
        eligible = [s for s in range(len(problem.subjects)) if problem.eligible(c, s)]
        if not eligible:
            continue
        s = max(
            eligible, key=lambda s: (_room(problem, s, minutes[s]), problem.subjects[s].value, -s)
        )
        chosen.append((c, s))
        minutes[s] += candidate.length
        left[candidate.day] -= candidate.length
        free_from = candidate.end + pause
    return chosen


def _room(problem: Problem, s: int, minutes: int) -> int:
    """Minutes still below the subject's target or fair share (no limit counts as ample)."""
    subject = problem.subjects[s]
    limit = subject.target_left if subject.target_left is not None else subject.fair_share
    return (limit if limit is not None else 10**6) - minutes
