"""How good a plan is: one score per soft goal, each from 0 (worst) to 1 (best), computed the same
way for any plan of a request, whatever made it (the solver, the greedy baseline, an LLM).

- `urgency`: the needs (`needs`) are met, and when they cannot all be, the most pressing first:
  planned minutes up to each subject's need, weighted by its priority (near exam, difficulty),
  over the needs so weighted;
- `fairness`: each subject has its fair share (`needs.fair_shares`): planned minutes up to each
  share, over the shares;
- `spacing`: a subject's sessions lie on different days: its days with a session, over the fewer
  of its sessions and its days with room (kept sessions count);
- `daily_load`: the days' loads are even: 1 less the minutes off the even spread of the plan's
  own total over the days with room (`needs.levels`), over twice the total;
- `interleaving`: a subject seldom follows itself: 1 less the repeats (the same subject twice in
  a row, in time order) beyond the fewest its subjects' counts allow, over the most there can be;
- `review`: each exam with room in the two days before it has a session there (kept ones count);
- `time_of_day`: every minute starts in the preferred part of the day ("any": always 1);
- `stability`: every session of the replaced plan that could stay as it was did (reschedule).

A term with nothing to measure (no minutes, no exam, no replaced plan) is 1.
"""

from collections import Counter
from collections.abc import Sequence
from datetime import date

from ai.scheduling import feedback, needs, objective
from ai.scheduling.brief import Brief
from ai.scheduling.interleave import repeats
from ai.scheduling.schedule import NoFeasiblePlan
from schediora_contracts.common import PlannedSession
from schediora_contracts.events import PlanRequested

TERMS = (
    "urgency",
    "fairness",
    "spacing",
    "daily_load",
    "interleaving",
    "review",
    "time_of_day",
    "stability",
)


def score(request: PlanRequested, sessions: Sequence[PlannedSession]) -> dict[str, float]:
    """Each soft goal's score for `sessions` as a plan for `request`."""
    try:
        brief = Brief.of(request)
    except NoFeasiblePlan:
        return dict.fromkeys(TERMS, 1.0)
    return terms(brief, sessions)


def terms(brief: Brief, sessions: Sequence[PlannedSession]) -> dict[str, float]:
    planned = sorted(sessions, key=lambda s: s.starts_at)
    positions = [brief.position(s.subject_id) for s in planned]
    minutes = [_minutes(s) for s in planned]
    days = [s.starts_at.astimezone(brief.week.zone).date() for s in planned]
    by_subject = Counter()
    for position, length in zip(positions, minutes, strict=True):
        by_subject[position] += length
    values = {
        "urgency": _urgency(brief, by_subject),
        "fairness": _ratio(
            sum(min(by_subject[s], subject.fair_share) for s, subject in _each(brief)),
            sum(subject.fair_share for subject in brief.subjects),
        ),
        "spacing": _spacing(brief, positions, days),
        "daily_load": _daily_load(brief, minutes, days),
        "interleaving": _interleaving([s.subject_id for s in planned]),
        "review": _review(brief, positions, days),
        "time_of_day": _time_of_day(brief, planned, minutes),
        "stability": _stability(brief, planned, positions),
    }
    return {name: round(value, 3) for name, value in values.items()}


def shortfall(brief: Brief, sessions: Sequence[PlannedSession]) -> dict[str, int]:
    """Minutes each subject's need exceeds its planned minutes, for the subjects short of it."""
    planned = Counter()
    for session in sessions:
        planned[brief.position(session.subject_id)] += _minutes(session)
    return {
        str(brief.request.subjects[subject.index].subject_id): subject.need - planned[s]
        for s, subject in _each(brief)
        if planned[s] < subject.need
    }


def _urgency(brief: Brief, by_subject: Counter) -> float:
    met = sum(min(by_subject[s], subject.need) * subject.priority for s, subject in _each(brief))
    wanted = sum(subject.need * subject.priority for subject in brief.subjects)
    return _ratio(met, wanted)


def _spacing(brief: Brief, positions: list[int | None], days: list[date]) -> float:
    sessions: Counter = Counter()
    studied: dict[int, set[date]] = {s: set() for s, _ in _each(brief)}
    for position, day in zip(positions, days, strict=True):
        if position is not None:
            sessions[position] += 1
            studied[position].add(day)
    for keep in brief.request.keep_sessions:
        position = brief.position(keep.subject_id)
        if position is not None:
            sessions[position] += 1
            studied[position].add(keep.starts_at.astimezone(brief.week.zone).date())
    spread = possible = 0
    for s, subject in _each(brief):
        exam = brief.request.subjects[subject.index].exam_date
        open_days = {d for d in brief.rooms if exam is None or d < exam} | studied[s]
        best = min(sessions[s], len(open_days))
        spread += min(len(studied[s]), best)
        possible += best
    return _ratio(spread, possible)


def _daily_load(brief: Brief, minutes: list[int], days: list[date]) -> float:
    total = sum(minutes)
    if total == 0:
        return 1.0
    load: Counter = Counter()
    for length, day in zip(minutes, days, strict=True):
        load[day] += length
    room_days = sorted(brief.rooms)
    levels = needs.levels(total, [brief.rooms[d] for d in room_days])
    off = sum(abs(load[d] - level) for d, level in zip(room_days, levels, strict=True))
    off += sum(minutes for day, minutes in load.items() if day not in brief.rooms)
    return max(1 - off / (2 * total), 0.0)


def _interleaving(subjects: list) -> float:
    count = len(subjects)
    if count < 2:
        return 1.0
    most = max(Counter(subjects).values())
    fewest = max(0, 2 * most - count - 1)
    most_possible = count - 1 - fewest
    if most_possible <= 0:
        return 1.0
    return 1 - (repeats(subjects) - fewest) / most_possible


def _review(brief: Brief, positions: list[int | None], days: list[date]) -> float:
    exams = [(s, subject) for s, subject in _each(brief) if subject.review_days or subject.reviewed]
    done = sum(
        subject.reviewed
        or any(p == s and d in subject.review_days for p, d in zip(positions, days, strict=True))
        for s, subject in exams
    )
    return _ratio(done, len(exams))


def _time_of_day(brief: Brief, planned: list[PlannedSession], minutes: list[int]) -> float:
    if brief.preferred == "any":
        return 1.0
    suited = 0
    for session, length in zip(planned, minutes, strict=True):
        local = session.starts_at.astimezone(brief.week.zone)
        if objective.in_preferred_period(brief.preferred, local.hour * 60 + local.minute):
            suited += length
    return _ratio(suited, sum(minutes))


def _stability(brief: Brief, planned: list[PlannedSession], positions: list[int | None]) -> float:
    timeline = brief.timeline
    chosen = {
        (timeline.minute(s.starts_at, up=False), timeline.minute(s.ends_at, up=False), p)
        for s, p in zip(planned, positions, strict=True)
    }
    kept = sum((start, end, s) in chosen for (start, end), s in brief.previous.items())
    return _ratio(kept, len(brief.previous))


def _each(brief: Brief):
    return enumerate(brief.subjects)


def _minutes(session: PlannedSession) -> int:
    return max(int((session.ends_at - session.starts_at).total_seconds() // 60), 0)


def _ratio(part: float, whole: float) -> float:
    return 1.0 if whole <= 0 else min(max(part / whole, 0.0), 1.0)


def report(brief: Brief, sessions: Sequence[PlannedSession]) -> dict:
    """What `Schedule.quality` tells of a plan: the scores, each subject's need and shortfall,
    the planned minutes, the feedback applied and the missed sessions placed again."""
    by_subject: dict[str, int] = {}
    for session in sessions:
        key = str(session.subject_id)
        by_subject[key] = by_subject.get(key, 0) + _minutes(session)
    found: dict = {
        "provider": "local",
        "terms": terms(brief, sessions),
        "need": {
            str(brief.request.subjects[subject.index].subject_id): subject.need
            for subject in brief.subjects
        },
        "shortfall": shortfall(brief, sessions),
        "planned_minutes": sum(by_subject.values()),
        "minutes_by_subject": by_subject,
    }
    if brief.request.feedback is not None:
        found["feedback"] = feedback.report(brief.adjustments, brief.request, sessions)
    if any(subject.makeup for subject in brief.subjects):
        ids = [str(brief.request.subjects[subject.index].subject_id) for subject in brief.subjects]
        found["makeup"] = {
            "missed_minutes": {
                i: subject.makeup
                for i, subject in zip(ids, brief.subjects, strict=True)
                if subject.makeup
            },
            "placed_minutes": {
                i: min(by_subject.get(i, 0), subject.makeup)
                for i, subject in zip(ids, brief.subjects, strict=True)
                if subject.makeup
            },
        }
    return found
