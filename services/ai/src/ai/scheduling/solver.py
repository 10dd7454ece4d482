"""The `local` provider: solves the CP-SAT model of a plan request into a schedule.

One worker, a fixed seed and a deterministic-time limit (never a wall-clock one) make the same
request give the same plan on every run. `solve` is pure and keeps no state, so callers may run
it off the event loop with `await asyncio.to_thread(solve, request)`.
"""

import time

from ortools.sat.python import cp_model

from ai.scheduling import objective, quality
from ai.scheduling.greedy import greedy_plan
from ai.scheduling.interleave import interleave
from ai.scheduling.model import PlanModel
from ai.scheduling.problem import Problem
from ai.scheduling.rationale import rationale
from ai.scheduling.schedule import NoFeasiblePlan, Schedule
from schediora_contracts.common import PlannedSession
from schediora_contracts.events import PlanRequested
from schediora_contracts.limits import SESSION_TITLE_MAX_LENGTH

SEED = 20261123
DETERMINISTIC_TIME_LIMIT = 0.5
"""In CP-SAT's deterministic time units: the same work, however fast the machine."""


def solve(request: PlanRequested) -> Schedule:
    """The best plan the solver finds for `request`; raises `NoFeasiblePlan` when none exists."""
    started = time.perf_counter()
    problem = Problem.of(request)
    plan = PlanModel(problem)
    if plan.empty:
        raise _no_time_before_the_exams()
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = SEED
    solver.parameters.max_deterministic_time = DETERMINISTIC_TIME_LIMIT
    # The full linear relaxation: the clique and knapsack rows make it nearly integral, and
    # without it CP-SAT can search for seconds to prove what the LP shows at once. Probing in
    # presolve finds little in these models (their cliques are already maximal) and cost half
    # the median solve time when measured. Chvatal-Gomory cuts cost a quarter of the time of the
    # slowest tenth and changed no objective; the search for big linear overlaps spent the whole
    # limit in presolve on weeks available around the clock. A greedy hint measured slower.
    solver.parameters.linearization_level = 2
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.add_cg_cuts = False
    solver.parameters.find_big_linear_overlap = False
    status = solver.solve(plan.model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        chosen = [pair for pair, var in plan.choices.items() if solver.boolean_value(var)]
        chosen = interleave(problem, chosen)
        found = _solved(plan, solver, status)
    else:  # the limit came before any solution: the greedy plan keeps the hard constraints too
        chosen = greedy_plan(problem)
        found = {"status": "greedy"}
    sessions = _sessions_or_refusal(problem, chosen)
    found |= quality.report(problem.brief, sessions)
    found["candidates"] = len(problem.candidates)
    found["solver_ms"] = round((time.perf_counter() - started) * 1000, 2)
    return Schedule(sessions=sessions, quality=found)


def baseline(request: PlanRequested) -> Schedule:
    """The greedy baseline's plan for `request` (see `greedy`), scored like the solver's."""
    problem = Problem.of(request)
    if not problem.has_choices:
        raise _no_time_before_the_exams()
    sessions = _sessions_or_refusal(problem, greedy_plan(problem))
    return Schedule(
        sessions=sessions, quality={"status": "greedy"} | quality.report(problem.brief, sessions)
    )


def sessions_of(problem: Problem, chosen: list[tuple[int, int]]) -> tuple[PlannedSession, ...]:
    """The chosen (candidate, subject) pairs as sessions, in time order, each with its reason."""
    brief = problem.brief
    subjects = [brief.request.subjects[subject.index] for subject in brief.subjects]
    hardest = max(subject.difficulty for subject in subjects)
    made_up = [0] * len(subjects)
    last = {s: c for c, s in sorted(chosen)}
    planned = []
    for c, s in sorted(chosen):
        candidate, subject, facts = problem.candidates[c], subjects[s], brief.subjects[s]
        local_start = brief.local_minute(candidate.start)
        makeup = made_up[s] < facts.makeup
        made_up[s] += candidate.length
        planned.append(
            PlannedSession(
                subject_id=subject.subject_id,
                title=subject.name.strip()[:SESSION_TITLE_MAX_LENGTH] or "Study session",
                starts_at=brief.timeline.instant(candidate.start),
                ends_at=brief.timeline.instant(candidate.end),
                rationale=rationale(
                    subject,
                    candidate.day,
                    hardest=hardest,
                    kept_from_previous=problem.from_previous(c, s),
                    makeup=makeup,
                    review=last[s] == c and candidate.day in facts.review_days,
                    preferred_period=(
                        brief.preferred
                        if objective.in_preferred_period(brief.preferred, local_start)
                        else None
                    ),
                ),
            )
        )
    return tuple(sorted(planned, key=lambda session: session.starts_at))


def _no_time_before_the_exams() -> NoFeasiblePlan:
    return NoFeasiblePlan(
        "no_available_time", "no free time is left within the daily goal before the subjects' exams"
    )


def _sessions_or_refusal(
    problem: Problem, chosen: list[tuple[int, int]]
) -> tuple[PlannedSession, ...]:
    sessions = sessions_of(problem, chosen)
    if not sessions and problem.brief.request.kind == "generate":
        raise NoFeasiblePlan(
            "nothing_to_plan", "every subject already has its weekly target of study time"
        )
    return sessions


def _solved(plan: PlanModel, solver: cp_model.CpSolver, status: int) -> dict:
    return {
        "status": "optimal" if status == cp_model.OPTIMAL else "feasible",
        "objective": int(solver.objective_value),
        "objective_terms": {name: int(solver.value(term)) for name, term in plan.terms.items()},
        "weights": objective.WEIGHTS.as_dict(),
        "deterministic_time": round(solver.deterministic_time, 4),
    }
