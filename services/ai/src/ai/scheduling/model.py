"""The CP-SAT model of one problem: a choice per (candidate, subject), the hard constraints, and
the objective as the named terms of `objective`.

Hard constraints are built in: at most one chosen candidate among those whose
`[start, end + break)` ranges meet (a clique per candidate start, exact for intervals), each day's
minutes within what the daily goal leaves after the kept sessions, and a subject only on
candidates that end by its exam's midnight. Everything else a session must satisfy (windows,
week, not_before, kept sessions) holds for every candidate by construction (see `slots`).
"""

from collections import defaultdict
from datetime import date

from ortools.sat.python import cp_model

from ai.scheduling import objective
from ai.scheduling.local_time import local_date
from ai.scheduling.problem import Problem

LinearExpr = cp_model.LinearExpr
WEEK_MINUTES = 8 * 24 * 60


class PlanModel:
    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.model = cp_model.CpModel()
        self.choices: dict[tuple[int, int], cp_model.IntVar] = {}
        """(candidate index, position in problem.subjects) → planned?"""
        for c in range(len(problem.candidates)):
            for s in range(len(problem.subjects)):
                if problem.eligible(c, s):
                    self.choices[c, s] = self.model.new_bool_var(f"x_{c}_{s}")
        self._no_conflicts()
        self._daily_goal()
        self.terms = self._terms()
        self.model.maximize(LinearExpr.sum(list(self.terms.values())))

    @property
    def empty(self) -> bool:
        return not self.choices

    def _no_conflicts(self) -> None:
        candidates = self.problem.candidates
        pause = self.problem.request.preferences.break_minutes
        by_candidate: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for (c, _), var in self.choices.items():
            by_candidate[c].append(var)
        # Two sessions conflict when one starts inside the other's [start, end + break): the
        # candidates covering each start form a clique, and these cliques cover every conflict.
        chosen = sorted(by_candidate)  # candidates are sorted by start
        active: list[int] = []
        for position, c in enumerate(chosen):
            point = candidates[c].start
            active = [a for a in active if candidates[a].end + pause > point]
            active.append(c)
            following = chosen[position + 1] if position + 1 < len(chosen) else None
            if following is not None and candidates[following].start == point:
                continue  # the clique at this point is complete with the last of its starts
            clique = [var for a in active for var in by_candidate[a]]
            if len(clique) > 1:
                self.model.add_at_most_one(clique)

    def _daily_goal(self) -> None:
        candidates = self.problem.candidates
        per_day: dict[date, tuple[list, list]] = defaultdict(lambda: ([], []))
        for (c, _), var in self.choices.items():
            variables, lengths = per_day[candidates[c].day]
            variables.append(var)
            lengths.append(candidates[c].length)
        for day, (variables, lengths) in sorted(per_day.items()):
            if sum(lengths) > self.problem.budgets[day]:
                self.model.add(
                    LinearExpr.weighted_sum(variables, lengths) <= self.problem.budgets[day]
                )

    def _terms(self) -> dict[str, cp_model.LinearExprT]:
        weights = objective.WEIGHTS
        subjects = self.problem.subjects
        request = self.problem.request
        minutes = [self._minutes_of(s) for s in range(len(subjects))]
        over_target = [
            self._excess(minutes[s], subject.target_left, f"over_target_{s}")
            for s, subject in enumerate(subjects)
        ]
        counted = [minutes[s] - over_target[s] for s in range(len(subjects))]
        over_share = [
            self._excess(minutes[s], subject.fair_share, f"over_share_{s}")
            for s, subject in enumerate(subjects)
        ]
        studied = [request.subjects[subject.index] for subject in subjects]
        today = self.problem.today
        return {
            "minutes": weights.minutes * LinearExpr.sum(counted),
            "urgency": LinearExpr.weighted_sum(
                counted, [objective.urgency(subject, today) for subject in studied]
            ),
            "difficulty": LinearExpr.weighted_sum(
                counted, [objective.difficulty(subject) for subject in studied]
            ),
            "over_target": -weights.over_target * LinearExpr.sum(over_target),
            "balance": -LinearExpr.weighted_sum(
                over_share, [subject.value * weights.balance // 100 for subject in subjects]
            ),
            "time_of_day": weights.time_of_day * self._preferred_minutes(),
            "spread": weights.spread * self._subject_days(),
            "stability": weights.stability * self._kept_from_previous(),
            "tidy": -weights.tidy * self._late_steps(),
        }

    def _minutes_of(self, s: int) -> cp_model.LinearExprT:
        pairs = [
            (var, self.problem.candidates[c].length)
            for (c, t), var in self.choices.items()
            if t == s
        ]
        return LinearExpr.weighted_sum([v for v, _ in pairs], [n for _, n in pairs])

    def _excess(
        self, minutes: cp_model.LinearExprT, limit: int | None, name: str
    ) -> cp_model.LinearExprT:
        """max(minutes - limit, 0), 0 when there is no limit. Only a lower bound is stated: every
        term counts an excess against the objective, so the optimum sets it to the maximum."""
        if limit is None:
            return LinearExpr.constant(0)
        excess = self.model.new_int_var(0, WEEK_MINUTES, name)
        self.model.add(excess >= minutes - limit)
        return excess

    def _preferred_minutes(self) -> cp_model.LinearExprT:
        preferred = self.problem.request.preferences.preferred_time_of_day
        suits = {
            c: objective.in_preferred_period(preferred, self.local_minute(candidate.start))
            for c, candidate in enumerate(self.problem.candidates)
        }
        pairs = [
            (var, self.problem.candidates[c].length)
            for (c, _), var in self.choices.items()
            if suits[c]
        ]
        return LinearExpr.weighted_sum([v for v, _ in pairs], [n for _, n in pairs])

    def _subject_days(self) -> cp_model.LinearExprT:
        """Days with a session of each subject, counted as its sessions less its repeats on a
        day (a day with a kept session of the subject counts already): the same number, but a
        penalty on repeats keeps the model's relaxation tight where a per-day boolean would not."""
        problem = self.problem
        covered = {
            (k.subject_id, local_date(k.starts_at, problem.week.zone))
            for k in problem.request.keep_sessions
        }
        groups: dict[tuple[int, date], list] = defaultdict(list)
        for (c, s), var in self.choices.items():
            groups[s, problem.candidates[c].day].append(var)
        days = []
        for (s, day), group in sorted(groups.items()):
            subject_id = problem.request.subjects[problem.subjects[s].index].subject_id
            first = 0 if (subject_id, day) in covered else 1
            sessions = LinearExpr.sum(group)
            repeats = self.model.new_int_var(0, len(group), f"repeats_{s}_{day}")
            self.model.add(repeats >= sessions - first)
            days.append(sessions - repeats)
        return LinearExpr.sum(days)

    def _kept_from_previous(self) -> cp_model.LinearExprT:
        return LinearExpr.sum(
            [var for (c, s), var in self.choices.items() if self.from_previous(c, s)]
        )

    def _late_steps(self) -> cp_model.LinearExprT:
        pairs = [(var, self.problem.candidates[c].steps) for (c, _), var in self.choices.items()]
        return LinearExpr.weighted_sum([v for v, _ in pairs], [n for _, n in pairs])

    def from_previous(self, c: int, s: int) -> bool:
        candidate = self.problem.candidates[c]
        return self.problem.previous.get((candidate.start, candidate.end)) == s

    def local_minute(self, minute: int) -> int:
        """Minutes after local midnight at which the week's `minute` falls."""
        local = self.problem.timeline.instant(minute).astimezone(self.problem.week.zone)
        return local.hour * 60 + local.minute
