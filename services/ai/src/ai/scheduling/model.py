"""The CP-SAT model of one problem: a choice per (candidate, subject), the hard constraints, and
the objective as the named terms of `objective`.

Hard constraints are built in: at most one chosen candidate among those whose
`[start, end + break)` ranges meet (a clique per candidate start, exact for intervals), each day's
minutes within what the daily goal leaves after the kept sessions, a subject only on candidates
that end by its exam's midnight, and at most `SESSIONS_PER_PLAN_MAX` sessions in the plan with
the kept ones. Everything else a session must satisfy (windows, week, not_before, kept sessions)
holds for every candidate by construction (see `slots`).
"""

from collections import defaultdict
from datetime import date

from ortools.sat.python import cp_model

from ai.scheduling import needs, objective
from ai.scheduling.problem import Problem
from schediora_contracts.limits import SESSIONS_PER_PLAN_MAX

LinearExpr = cp_model.LinearExpr
WEEK_MINUTES = 8 * 24 * 60


class PlanModel:
    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.brief = problem.brief
        self.model = cp_model.CpModel()
        self.choices: dict[tuple[int, int], cp_model.IntVar] = {}
        """(candidate index, position in brief.subjects) → planned?"""
        for c in range(len(problem.candidates)):
            for s in range(len(self.brief.subjects)):
                if problem.eligible(c, s):
                    self.choices[c, s] = self.model.new_bool_var(f"x_{c}_{s}")
        self._no_conflicts()
        self._daily_goal()
        self._session_count()
        self.terms = self._terms()
        # A variable per term, defined by an equality: CP-SAT's Python front end copies an
        # objective into the model entry by entry (slow for thousands), a constraint in one call.
        totals = []
        for name, term in self.terms.items():
            total = self.model.new_int_var(-(10**9), 10**9, f"term_{name}")
            self.model.add(total == term)
            totals.append(total)
        self.model.maximize(LinearExpr.sum(totals))

    @property
    def empty(self) -> bool:
        return not self.choices

    def _no_conflicts(self) -> None:
        candidates = self.problem.candidates
        pause = self.brief.effective.preferences.break_minutes
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
        """Each day's minutes, one variable per day (shared by the terms that read them),
        within what the daily goal leaves."""
        self.loads: dict[date, cp_model.IntVar] = {}
        for day, (variables, lengths) in sorted(self._by_day().items()):
            most = min(sum(lengths), max(self.brief.budgets[day], 0))
            self.loads[day] = self.model.new_int_var(0, most, f"load_{day}")
            self.model.add(self.loads[day] == LinearExpr.weighted_sum(variables, lengths))

    def _session_count(self) -> None:
        room = SESSIONS_PER_PLAN_MAX - len(self.brief.request.keep_sessions)
        if len({c for c, _ in self.choices}) > room:
            self.model.add(LinearExpr.sum(list(self.choices.values())) <= max(room, 0))

    def _by_day(self) -> dict[date, tuple[list, list]]:
        per_day: dict[date, tuple[list, list]] = defaultdict(lambda: ([], []))
        for (c, _), var in self.choices.items():
            variables, lengths = per_day[self.problem.candidates[c].day]
            variables.append(var)
            lengths.append(self.problem.candidates[c].length)
        return per_day

    def _terms(self) -> dict[str, cp_model.LinearExprT]:
        weights = objective.WEIGHTS
        subjects = self.brief.subjects
        count = range(len(subjects))
        minutes = [self._minutes_of(s) for s in count]
        over_need = [self._excess(minutes[s], subjects[s].need, f"over_need_{s}") for s in count]
        # The first half of a need counts twice: a tight week gives every subject some of its
        # need before it gives any the rest of it, unless one is more than twice as pressing.
        over_half = [
            self._excess(minutes[s], subjects[s].need // 2, f"over_half_{s}") for s in count
        ]
        over_share = [
            self._excess(minutes[s], subjects[s].fair_share, f"over_share_{s}") for s in count
        ]
        over_makeup = [
            self._excess(minutes[s], subjects[s].makeup, f"over_makeup_{s}")
            for s in count
            if subjects[s].makeup
        ]
        made_up = [s for s in count if subjects[s].makeup]
        return {
            "urgency": LinearExpr.weighted_sum(
                [2 * minutes[s] - over_need[s] - over_half[s] for s in count],
                [subject.priority for subject in subjects],
            ),
            "makeup": weights.makeup
            * LinearExpr.sum([minutes[s] - e for s, e in zip(made_up, over_makeup, strict=True)]),
            "fairness": weights.fairness
            * LinearExpr.sum([minutes[s] - over_share[s] for s in count]),
            "fill": weights.fill
            * LinearExpr.sum([minutes[s] for s in count if not subjects[s].targeted]),
            "over_target": -weights.over_target
            * LinearExpr.sum([over_need[s] for s in count if subjects[s].targeted]),
            "spacing": weights.spacing * self._subject_days(),
            "interleaving": -weights.interleaving * self._unavoidable_repeats(),
            "daily_load": -weights.daily_load * self._load_deviation(),
            "review": weights.review * self._reviews(),
            "time_of_day": self.brief.time_of_day_weight * self._preferred_minutes(),
            "stability": weights.stability * self._kept_from_previous(),
            "tidy": -weights.tidy * self._late_steps(),
        }

    def _minutes_of(self, s: int) -> cp_model.IntVar:
        """The subject's planned minutes as one variable: the four limits on them (need, half
        need, fair share, make-up) then take two entries each, not one per candidate."""
        pairs = [
            (var, self.problem.candidates[c].length)
            for (c, t), var in self.choices.items()
            if t == s
        ]
        minutes = self.model.new_int_var(0, sum(n for _, n in pairs), f"minutes_{s}")
        self.model.add(
            minutes == LinearExpr.weighted_sum([v for v, _ in pairs], [n for _, n in pairs])
        )
        return minutes

    def _excess(self, minutes: cp_model.LinearExprT, limit: int, name: str) -> cp_model.LinearExprT:
        """max(minutes - limit, 0). Only a lower bound is stated: every term counts an excess
        against the objective, so the optimum sets it to the maximum."""
        excess = self.model.new_int_var(0, WEEK_MINUTES, name)
        self.model.add(excess >= minutes - limit)
        return excess

    def _subject_days(self) -> cp_model.LinearExprT:
        """Days with a session of each subject, counted as its sessions less its repeats on a
        day (a day with a kept session of the subject counts already): the same number, but a
        penalty on repeats keeps the model's relaxation tight where a per-day boolean would not."""
        brief = self.brief
        covered = {
            (k.subject_id, local_date_of(brief, k.starts_at)) for k in brief.request.keep_sessions
        }
        groups: dict[tuple[int, date], list] = defaultdict(list)
        for (c, s), var in self.choices.items():
            groups[s, self.problem.candidates[c].day].append(var)
        days = []
        for (s, day), group in sorted(groups.items()):
            subject_id = brief.request.subjects[brief.subjects[s].index].subject_id
            first = 0 if (subject_id, day) in covered else 1
            sessions = LinearExpr.sum(group)
            repeats = self.model.new_int_var(0, len(group), f"repeats_{s}_{day}")
            self.model.add(repeats >= sessions - first)
            days.append(sessions - repeats)
        return LinearExpr.sum(days)

    def _unavoidable_repeats(self) -> cp_model.LinearExprT:
        """Per day and subject, the times the subject must follow itself however the day is
        ordered: max(0, 2 x its sessions - the day's sessions - 1)."""
        by_day: dict[date, list] = defaultdict(list)
        groups: dict[tuple[date, int], list] = defaultdict(list)
        for (c, s), var in self.choices.items():
            day = self.problem.candidates[c].day
            by_day[day].append(var)
            groups[day, s].append(var)
        repeats = []
        sessions: dict[date, cp_model.IntVar] = {}
        for (day, s), group in sorted(groups.items()):
            if len(group) < 2:
                continue
            if day not in sessions:
                sessions[day] = self.model.new_int_var(0, len(by_day[day]), f"sessions_{day}")
                self.model.add(sessions[day] == LinearExpr.sum(by_day[day]))
            forced = self.model.new_int_var(0, len(group), f"forced_{s}_{day}")
            self.model.add(forced >= 2 * LinearExpr.sum(group) - sessions[day] - 1)
            repeats.append(forced)
        return LinearExpr.sum(repeats)

    def _load_deviation(self) -> cp_model.LinearExprT:
        """Minutes each day's load lies above or below its even level (`needs.levels`)."""
        days = sorted(self.brief.rooms)
        levels = needs.levels(self.brief.expected, [self.brief.rooms[d] for d in days])
        deviations = []
        for day, level in zip(days, levels, strict=True):
            load = self.loads.get(day, 0)
            target = round(level)
            above = self.model.new_int_var(0, 24 * 60, f"above_{day}")
            below = self.model.new_int_var(0, 24 * 60, f"below_{day}")
            self.model.add(above >= load - target)
            self.model.add(below >= target - load)
            deviations.extend((above, below))
        return LinearExpr.sum(deviations)

    def _reviews(self) -> cp_model.LinearExprT:
        """Exams with a session in the days right before them (a kept one counts already)."""
        reviewed = []
        for s, subject in enumerate(self.brief.subjects):
            if subject.reviewed or not subject.review_days:
                continue
            group = [
                var
                for (c, t), var in self.choices.items()
                if t == s and self.problem.candidates[c].day in subject.review_days
            ]
            if group:
                review = self.model.new_bool_var(f"review_{s}")
                self.model.add(review <= LinearExpr.sum(group))
                reviewed.append(review)
        return LinearExpr.sum(reviewed)

    def _preferred_minutes(self) -> cp_model.LinearExprT:
        preferred = self.brief.preferred
        if preferred == "any":
            return LinearExpr.constant(0)
        suits = {
            c: objective.in_preferred_period(preferred, self.brief.local_minute(candidate.start))
            for c, candidate in enumerate(self.problem.candidates)
        }
        pairs = [
            (var, self.problem.candidates[c].length)
            for (c, _), var in self.choices.items()
            if suits[c]
        ]
        return LinearExpr.weighted_sum([v for v, _ in pairs], [n for _, n in pairs])

    def _kept_from_previous(self) -> cp_model.LinearExprT:
        return LinearExpr.sum(
            [var for (c, s), var in self.choices.items() if self.problem.from_previous(c, s)]
        )

    def _late_steps(self) -> cp_model.LinearExprT:
        pairs = [(var, self.problem.candidates[c].steps) for (c, _), var in self.choices.items()]
        return LinearExpr.weighted_sum([v for v, _ in pairs], [n for _, n in pairs])


def local_date_of(brief, instant) -> date:
    return instant.astimezone(brief.week.zone).date()
