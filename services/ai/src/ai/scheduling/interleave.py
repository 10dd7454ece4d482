"""Interleaving: after solving, the subjects of the chosen sessions are reordered so that one
subject seldom follows itself, without changing any term of the objective.

Only subjects move, never sessions, and only between sessions of the same length: every subject
keeps its minutes, its days with a session (kept sessions included) and its review, and a session
kept from the replaced plan keeps its subject. Two passes, both deterministic:

1. Each day, in time order, a session takes the subject of that day's (same-length) sessions that
   differs from the session before it and the next fixed one, the one with the most sessions
   left first (the classic greedy that minimises runs in a sequence); which subject each day
   ends with is chosen by dynamic programming over the days, so a day does not end with what
   the next one must start with.
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
    """Orders each day's subjects, choosing each day's last subject by dynamic programming over
    the days (what a day ends with is what the next one must not start with)."""
    candidates = problem.candidates
    days: dict = defaultdict(list)
    for i, (c, _) in enumerate(plan):
        days[candidates[c].day].append(i)
    states: dict[int | None, tuple[int, list[int]]] = {None: (0, list(subjects))}
    for day in sorted(days):
        positions = days[day]
        reached: dict[int | None, tuple[int, list[int]]] = {}
        for before, (cost, placed) in sorted(states.items(), key=_state_order):
            for last in [None, *sorted({subjects[i] for i in positions})]:
                ordered = _order_day(problem, plan, fixed, placed, positions, before, last)
                if ordered is None:
                    continue
                day_cost, day_placed = ordered
                end = day_placed[positions[-1]]
                if end not in reached or cost + day_cost < reached[end][0]:
                    reached[end] = (cost + day_cost, day_placed)
        states = reached or states
    best = min(states.items(), key=lambda item: (item[1][0], _state_order(item)))
    subjects[:] = best[1][1]


def _state_order(item) -> tuple[int, int]:
    subject = item[0]
    return (0, -1) if subject is None else (1, subject)


def _order_day(
    problem: Problem,
    plan,
    fixed: list[bool],
    placed: list[int],
    positions: list[int],
    before: int | None,
    last: int | None,
) -> tuple[int, list[int]] | None:
    """The day's subjects in order after a day that ended with `before`, ending with `last`
    (None: any), and the repeats that makes (the boundary included); None when impossible."""
    candidates = problem.candidates
    pools: dict[int, Counter] = defaultdict(Counter)
    for i in positions:
        if not fixed[i]:
            pools[candidates[plan[i][0]].length][placed[i]] += 1
    order = list(placed)
    tail = positions[-1]
    reserved = last is not None and not fixed[tail]
    if reserved:
        pool = pools[candidates[plan[tail][0]].length]
        if pool[last] == 0 or not problem.eligible(plan[tail][0], last):
            return None
        pool[last] -= 1
    elif last is not None and placed[tail] != last:
        return None
    previous = before
    cost = 0
    for i in positions:
        if not fixed[i]:
            c = plan[i][0]
            if reserved and i == tail:
                order[i] = last
            else:
                pool = pools[candidates[c].length]
                after = order[i + 1] if i + 1 < len(plan) and fixed[i + 1] else None
                if reserved and i + 1 == tail:
                    after = last
                options = [s for s in pool if pool[s] > 0 and problem.eligible(c, s)]
                if not options:
                    return None
                best = max(options, key=lambda s: (s != previous, s != after, pool[s], -s))
                order[i] = best
                pool[best] -= 1
        cost += order[i] == previous
        previous = order[i]
    return cost, order


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
