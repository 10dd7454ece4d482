"""The `local` provider: solves the CP-SAT model of a plan request into a schedule.

One worker, a fixed seed and a deterministic-time limit (never a wall-clock one) make the same
request give the same plan on every run. `solve` is pure and keeps no state, so callers may run
it off the event loop with `await asyncio.to_thread(solve, request)`.
"""

import time

from ortools.sat.python import cp_model

from ai.scheduling import objective
from ai.scheduling.greedy import greedy_plan
from ai.scheduling.model import PlanModel
from ai.scheduling.problem import Problem
from ai.scheduling.rationale import rationale
from ai.scheduling.schedule import NoFeasiblePlan, Schedule
from schediora_contracts.common import PlannedSession
from schediora_contracts.events import PlanRequested

SEED = 20261123
DETERMINISTIC_TIME_LIMIT = 0.5
"""In CP-SAT's deterministic time units: the same work, however fast the machine."""


def solve(request: PlanRequested) -> Schedule:
    """The best plan the solver finds for `request`; raises `NoFeasiblePlan` when none exists."""
    started = time.perf_counter()
    plan = PlanModel(Problem.of(request))
    if plan.empty:
        raise NoFeasiblePlan(
            "no_available_time",
            "no free time is left within the daily goal before the subjects' exams",
        )
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = SEED
    solver.parameters.max_deterministic_time = DETERMINISTIC_TIME_LIMIT
    # The full linear relaxation: the clique and knapsack rows make it nearly integral, and
    # without it CP-SAT can search for seconds to prove what the LP shows at once. Probing in
    # presolve finds little in these models (their cliques are already maximal) and cost half
    # the median solve time when measured.
    solver.parameters.linearization_level = 2
    solver.parameters.cp_model_probing_level = 0
    status = solver.solve(plan.model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        chosen = [pair for pair, var in plan.choices.items() if solver.boolean_value(var)]
        quality = _quality(plan, solver, status)
    else:  # the limit came before any solution: the greedy plan keeps the hard constraints too
        chosen = greedy_plan(plan.problem)
        quality = {"status": "greedy", "candidates": len(plan.problem.candidates)}
    sessions = _sessions(plan, chosen)
    if not sessions and request.kind == "generate":
        raise NoFeasiblePlan(
            "nothing_to_plan", "every subject already has its weekly target of study time"
        )
    quality |= _minutes(sessions)
    quality["solver_ms"] = round((time.perf_counter() - started) * 1000, 2)
    return Schedule(sessions=sessions, quality=quality)


def _sessions(plan: PlanModel, chosen: list[tuple[int, int]]) -> tuple[PlannedSession, ...]:
    problem = plan.problem
    preferred = problem.request.preferences.preferred_time_of_day
    subjects = [problem.request.subjects[subject.index] for subject in problem.subjects]
    hardest = max(subject.difficulty for subject in subjects)
    planned = []
    for c, s in sorted(chosen):
        candidate, subject = problem.candidates[c], subjects[s]
        suits = objective.in_preferred_period(preferred, plan.local_minute(candidate.start))
        planned.append(
            PlannedSession(
                subject_id=subject.subject_id,
                title=subject.name,
                starts_at=problem.timeline.instant(candidate.start),
                ends_at=problem.timeline.instant(candidate.end),
                rationale=rationale(
                    subject,
                    candidate.day,
                    hardest=hardest,
                    kept_from_previous=plan.from_previous(c, s),
                    preferred_period=preferred if suits else None,
                ),
            )
        )
    return tuple(sorted(planned, key=lambda session: session.starts_at))


def _quality(plan: PlanModel, solver: cp_model.CpSolver, status: int) -> dict:
    return {
        "status": "optimal" if status == cp_model.OPTIMAL else "feasible",
        "objective": int(solver.objective_value),
        "terms": {name: int(solver.value(term)) for name, term in plan.terms.items()},
        "weights": objective.WEIGHTS.as_dict(),
        "candidates": len(plan.problem.candidates),
        "deterministic_time": round(solver.deterministic_time, 4),
    }


def _minutes(sessions: tuple[PlannedSession, ...]) -> dict:
    by_subject: dict[str, int] = {}
    for session in sessions:
        key = str(session.subject_id)
        length = int((session.ends_at - session.starts_at).total_seconds() // 60)
        by_subject[key] = by_subject.get(key, 0) + length
    return {
        "provider": "local",
        "planned_minutes": sum(by_subject.values()),
        "minutes_by_subject": by_subject,
    }
