"""A plan request reduced to what the model needs, or the reason no plan can be made."""

from dataclasses import dataclass
from datetime import date

from ai.scheduling import objective
from ai.scheduling.local_time import local_date
from ai.scheduling.schedule import NoFeasiblePlan
from ai.scheduling.slots import (
    MAX_LENGTH,
    MIN_LENGTH,
    Candidate,
    Slot,
    Timeline,
    candidates,
    day_budgets,
    free_slots,
    slot_containing,
)
from ai.scheduling.week import Week
from schediora_contracts.events import PlanRequested


@dataclass(frozen=True)
class StudySubject:
    """A subject that can still be studied this week, with what the objective knows of it."""

    index: int
    cutoff: int | None
    """Minute by which its sessions end (its exam's midnight), or None."""
    kept_minutes: int
    target_left: int | None
    """Minutes of its weekly target not yet covered by kept sessions, or None."""
    value: int
    """Objective value of one counted minute."""
    fair_share: int | None


@dataclass(frozen=True)
class Problem:
    request: PlanRequested
    week: Week
    timeline: Timeline
    today: date
    """Local date the plan starts on (the week's first day, or not_before's)."""
    subjects: tuple[StudySubject, ...]
    candidates: tuple[Candidate, ...]
    budgets: dict[date, int]
    previous: dict[tuple[int, int], int]
    """(start, end) of a replaced plan's session that is still possible → its subject index."""

    def eligible(self, c: int, s: int) -> bool:
        """Whether candidate `c` may be a session of subject `s` (it ends by the exam)."""
        cutoff = self.subjects[s].cutoff
        return cutoff is None or self.candidates[c].end <= cutoff

    @classmethod
    def of(cls, request: PlanRequested) -> "Problem":
        week = Week.of(request)
        timeline = Timeline(week.start)
        today = local_date(week.earliest, week.zone)
        open_subjects = _open_subjects(request, week)
        slots = free_slots(request, week, timeline)
        if not slots:
            after = " after not_before" if request.not_before else ""
            raise NoFeasiblePlan(
                "no_available_time", f"no availability window has free time left in the week{after}"
            )
        prefs = request.preferences
        length = min(prefs.session_minutes, prefs.daily_goal_minutes)
        found = candidates(slots, length, prefs.break_minutes)
        previous = _previous(request, open_subjects, slots, timeline)
        known = {(c.start, c.end) for c in found}
        for start, end in sorted(previous):
            if (start, end) not in known:
                found.append(
                    Candidate(start, end, local_date(timeline.instant(start), week.zone), 0)
                )
        budgets = day_budgets(request, week)
        usable = tuple(sorted(c for c in found if c.length <= budgets.get(c.day, 0)))
        subjects = _study_subjects(
            request, week, timeline, today, open_subjects, slots, budgets, length
        )
        return cls(request, week, timeline, today, subjects, usable, budgets, previous)


def _open_subjects(request: PlanRequested, week: Week) -> list[int]:
    """Indexes of the request's subjects whose exam is still ahead and whose target is not 0."""
    open_subjects = []
    for index, subject in enumerate(request.subjects):
        cutoff = week.exam_cutoff(subject)
        if cutoff is not None and cutoff <= week.earliest:
            continue
        if subject.target_minutes_per_week == 0:
            continue
        open_subjects.append(index)
    if not open_subjects:
        why = (
            "every exam has passed or the weekly target is 0"
            if request.subjects
            else "the request names none"
        )
        raise NoFeasiblePlan("no_subjects", f"no subject can be studied any more: {why}")
    return open_subjects


def _study_subjects(
    request: PlanRequested,
    week: Week,
    timeline: Timeline,
    today: date,
    open_subjects: list[int],
    slots: list[Slot],
    budgets: dict[date, int],
    length: int,
) -> tuple[StudySubject, ...]:
    free_by_day: dict[date, int] = {}
    for slot in slots:
        free_by_day[slot.day] = free_by_day.get(slot.day, 0) + slot.end - slot.start
    capacity = sum(min(minutes, max(budgets[day], 0)) for day, minutes in free_by_day.items())
    chosen = [request.subjects[i] for i in open_subjects]
    kept = [_kept_minutes(request, s.subject_id) for s in chosen]
    targets = [
        None if s.target_minutes_per_week is None else max(s.target_minutes_per_week - k, 0)
        for s, k in zip(chosen, kept, strict=True)
    ]
    values = [objective.value_per_minute(s, today) for s in chosen]
    shares = objective.fair_shares(values, targets, capacity, length)
    return tuple(
        StudySubject(
            index=index,
            cutoff=(
                None
                if (cutoff := week.exam_cutoff(subject)) is None
                else timeline.minute(cutoff, up=False)
            ),
            kept_minutes=kept_minutes,
            target_left=target,
            value=value,
            fair_share=share,
        )
        for index, subject, kept_minutes, target, value, share in zip(
            open_subjects, chosen, kept, targets, values, shares, strict=True
        )
    )


def _kept_minutes(request: PlanRequested, subject_id: object) -> int:
    seconds = sum(
        (k.ends_at - k.starts_at).total_seconds()
        for k in request.keep_sessions
        if k.subject_id == subject_id and k.ends_at > k.starts_at
    )
    return int(seconds // 60)


def _previous(
    request: PlanRequested, open_subjects: list[int], slots: list[Slot], timeline: Timeline
) -> dict[tuple[int, int], int]:
    """The replaced plan's planned sessions that fit the free time exactly as they were."""
    position = {request.subjects[i].subject_id: p for p, i in enumerate(open_subjects)}
    still_possible = {}
    for session in request.previous_sessions:
        if session.status != "planned" or session.subject_id not in position:
            continue
        start = timeline.minute(session.starts_at, up=True)
        end = timeline.minute(session.ends_at, up=False)
        exact = (timeline.instant(start), timeline.instant(end)) == (
            session.starts_at,
            session.ends_at,
        )
        if exact and MIN_LENGTH <= end - start <= MAX_LENGTH and slot_containing(slots, start, end):
            still_possible[(start, end)] = position[session.subject_id]
    return still_possible
