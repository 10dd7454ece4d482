"""Interleaving: after solving, the subjects of the chosen sessions are reordered so that one
subject seldom follows itself, without changing any term of the objective.

Only subjects move, never sessions, and only between sessions of the same length: every subject
keeps its minutes, its days with a session (kept sessions included) and its review, and a session
kept from the replaced plan keeps its subject. Two passes, both deterministic:

1. Each day, in time order, a session takes the subject of that day's (same-length) sessions that
   differs from the session before it and the next fixed one, the one with the most sessions
   left first: the classic greedy that minimises runs in a sequence.
2. Across days, a session that repeats the subject before it swaps subjects with a later session
   when that lowers the number of repeats and leaves every subject's days and review unchanged.
"""

from collections import Counter, defaultdict
from itertools import pairwise

from ai.scheduling.problem import Problem


def interleave(problem: Problem, chosen: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`chosen` (candidate, subject) pairs with their subjects reordered, in time order."""
    plan = sorted(chosen)
    fixed = [problem.from_previous(c, s) for c, s in plan]
    subjects = [s for _, s in plan]
    _order_each_day(problem, plan, fixed, subjects)
    _swap_across_days(problem, plan, fixed, subjects)
    return [(c, s) for (c, _), s in zip(plan, subjects, strict=True)]


def repeats(subjects: list) -> int:
    """Adjacent pairs of the same subject in a sequence."""
    return sum(a == b for a, b in pairwise(subjects))


def _order_each_day(problem: Problem, plan, fixed: list[bool], subjects: list[int]) -> None:
    candidates = problem.candidates
    days: dict = defaultdict(list)
    for i, (c, _) in enumerate(plan):
        days[candidates[c].day].append(i)
    ordered = sorted(days)
    for number, day in enumerate(ordered):
        positions = days[day]
        pools: dict[int, Counter] = defaultdict(Counter)
        for i in positions:
            if not fixed[i]:
                pools[candidates[plan[i][0]].length][subjects[i]] += 1
        # The next day's subject when it has only one: the day should not end with it.
        following = (
            {subjects[i] for i in days[ordered[number + 1]]} if number + 1 < len(ordered) else set()
        )
        next_day = next(iter(following)) if len(following) == 1 else None
        placed = list(subjects)
        for i in positions:
            if fixed[i]:
                continue
            c = plan[i][0]
            pool = pools[candidates[c].length]
            before = placed[i - 1] if i > 0 else None
            after = placed[i + 1] if i + 1 < len(plan) and fixed[i + 1] else None
            if i == positions[-1]:
                after = next_day
            options = [s for s in pool if pool[s] > 0 and problem.eligible(c, s)]
            if not options:
                break  # cannot happen (a day's sessions share eligibility): keep the day as is
            best = max(options, key=lambda s: (s != before, s != after, pool[s], -s))
            placed[i] = best
            pool[best] -= 1
        else:
            subjects[:] = placed


def _swap_across_days(problem: Problem, plan, fixed: list[bool], subjects: list[int]) -> None:
    brief, candidates = problem.brief, problem.candidates
    day_of = [candidates[c].day for c, _ in plan]
    length_of = [candidates[c].length for c, _ in plan]
    on_day: Counter = Counter(zip(subjects, day_of, strict=True))
    for keep in brief.request.keep_sessions:
        position = brief.position(keep.subject_id)
        if position is not None:
            on_day[position, keep.starts_at.astimezone(brief.week.zone).date()] += 1

    def keeps_days_and_review(p: int, q: int) -> bool:
        a, b, dp, dq = subjects[p], subjects[q], day_of[p], day_of[q]
        if dp == dq:
            return True
        for s, loses, gains in ((a, dp, dq), (b, dq, dp)):
            lost, gained = on_day[s, loses] == 1, on_day[s, gains] == 0
            if lost != gained:
                return False
            review = brief.subjects[s].review_days
            if lost and (loses in review) != (gains in review):
                return False
        return True

    def local_repeats(positions: set[int]) -> int:
        pairs = {(i, i + 1) for p in positions for i in (p - 1, p) if 0 <= i < len(plan) - 1}
        return sum(subjects[i] == subjects[j] for i, j in pairs)

    for _ in range(len(plan)):
        improved = False
        for p in range(1, len(plan)):
            if fixed[p] or subjects[p] != subjects[p - 1]:
                continue
            for q in range(len(plan)):
                a, b = subjects[p], subjects[q]
                if q == p or fixed[q] or a == b or length_of[q] != length_of[p]:
                    continue
                if not (problem.eligible(plan[p][0], b) and problem.eligible(plan[q][0], a)):
                    continue
                if not keeps_days_and_review(p, q):
                    continue
                before = local_repeats({p, q})
                subjects[p], subjects[q] = b, a
                if local_repeats({p, q}) < before:
                    on_day[a, day_of[p]] -= 1
                    on_day[b, day_of[p]] += 1
                    on_day[b, day_of[q]] -= 1
                    on_day[a, day_of[q]] += 1
                    improved = True
                    break
                subjects[p], subjects[q] = a, b
        if not improved:
            return
