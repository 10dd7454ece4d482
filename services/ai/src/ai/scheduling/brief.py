"""A plan request as the solver and the scoring both read it: the feedback applied, the week's
free time, and each subject's need, priority and fair share; or the reason no plan can be made.

The feedback's adjustments act on an *effective* copy of the request (a lower daily goal, another
session length, windows clipped to the asked times, another preferred part of the day), which
only ever narrows what the original allows: a plan made for it passes `validate` on the original.
"""

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from ai.scheduling import needs, objective
from ai.scheduling.feedback import Adjustments, adjustments, clipped
from ai.scheduling.schedule import NoFeasiblePlan
from ai.scheduling.slots import (
    MAX_LENGTH,
    MIN_LENGTH,
    Slot,
    Timeline,
    day_budgets,
    free_slots,
    slot_containing,
)
from ai.scheduling.week import Week
from schediora_contracts.common import SessionSnapshot
from schediora_contracts.events import PlanRequested
from schediora_contracts.local_time import DAY, local_date


@dataclass(frozen=True)
class StudySubject:
    """A subject that can still be studied this week, with what the objective knows of it."""

    index: int
    """Its position in `request.subjects`."""
    cutoff: int | None
    """Minute by which its sessions end (its exam's midnight), or None."""
    targeted: bool
    kept_minutes: int
    need: int
    makeup: int
    """Minutes of its skipped or missed sessions, to be placed again first."""
    priority: int
    fair_share: int
    review_days: frozenset[date]
    """The days right before its exam with room for a session (empty without an exam)."""
    reviewed: bool
    """A kept session lies in those days already."""


@dataclass(frozen=True)
class Brief:
    request: PlanRequested
    effective: PlanRequested
    """The request with the feedback's adjustments applied."""
    adjustments: Adjustments
    week: Week
    timeline: Timeline
    today: date
    """Local date the plan starts on (the week's first day, or not_before's)."""
    length: int
    """Minutes of a session (shorter only where a slot is)."""
    slots: tuple[Slot, ...]
    budgets: dict[date, int]
    rooms: dict[date, int]
    """Minutes of sessions a day can still take, for days with any: its slots packed with
    sessions and breaks, within its budget."""
    subjects: tuple[StudySubject, ...]
    previous: dict[tuple[int, int], int]
    """(start, end) of a replaced plan's session that is still possible → its subject position."""
    expected: int
    """Minutes a fair plan fills: the sum of the fair shares."""

    @property
    def preferred(self) -> str:
        return self.effective.preferences.preferred_time_of_day

    @property
    def time_of_day_weight(self) -> int:
        """Per minute in the preferred period: strong when the feedback asked for it."""
        weights = objective.WEIGHTS
        return weights.asked_time_of_day if self.adjustments.asked_period else weights.time_of_day

    def position(self, subject_id: UUID | None) -> int | None:
        """Position in `subjects` of the subject with this id, None when it is not studied."""
        for position, subject in enumerate(self.subjects):
            if self.request.subjects[subject.index].subject_id == subject_id:
                return position
        return None

    def local_minute(self, minute: int) -> int:
        """Minutes after local midnight at which the week's `minute` falls."""
        local = self.timeline.instant(minute).astimezone(self.week.zone)
        return local.hour * 60 + local.minute

    @classmethod
    def of(cls, request: PlanRequested) -> "Brief":
        adjusted = adjustments(request)
        effective = _effective(request, adjusted)
        week = Week.of(effective)
        timeline = Timeline(week.start)
        open_subjects = _open_subjects(request, week)
        slots = free_slots(effective, week, timeline)
        if not slots:
            after = " after not_before" if request.not_before else ""
            raise NoFeasiblePlan(
                "no_available_time", f"no availability window has free time left in the week{after}"
            )
        prefs = effective.preferences
        budgets = day_budgets(effective, week)
        length = min(prefs.session_minutes, prefs.daily_goal_minutes)
        rooms = _rooms(slots, budgets, length, prefs.break_minutes)
        today = local_date(week.earliest, week.zone)
        subjects = _study_subjects(request, adjusted, week, timeline, today, open_subjects, rooms)
        previous = _previous(request, adjusted, subjects, slots, timeline, length, week)
        return cls(
            request=request,
            effective=effective,
            adjustments=adjusted,
            week=week,
            timeline=timeline,
            today=today,
            length=length,
            slots=tuple(slots),
            budgets=budgets,
            rooms=rooms,
            subjects=subjects,
            previous=previous,
            expected=sum(s.fair_share for s in subjects),
        )


def missed(request: PlanRequested) -> list[SessionSnapshot]:
    """The replaced plan's sessions the student skipped, or that were planned and ended before
    `not_before` without being started."""
    return [
        s
        for s in request.previous_sessions
        if s.ends_at > s.starts_at
        and (
            s.status == "skipped"
            or (s.status == "planned" and request.not_before and s.ends_at <= request.not_before)
        )
    ]


def _rooms(slots: list[Slot], budgets: dict[date, int], length: int, pause: int) -> dict:
    fitting: dict[date, list[int]] = {}
    for slot in slots:
        room = slot.end - slot.start
        if room >= length:
            sessions = [length] * ((room + pause) // (length + pause))
        else:
            short = room - room % 5
            sessions = [short] if short >= MIN_LENGTH else []
        fitting.setdefault(slot.day, []).extend(sessions)
    rooms = {}
    for day, sessions in sorted(fitting.items()):
        taken = 0
        for minutes in sorted(sessions, reverse=True):
            if taken + minutes <= budgets.get(day, 0):
                taken += minutes
        if taken > 0:
            rooms[day] = taken
    return rooms


def _effective(request: PlanRequested, adjusted: Adjustments) -> PlanRequested:
    prefs = request.preferences
    changes: dict = {}
    if adjusted.daily_goal_minutes is not None:
        changes["daily_goal_minutes"] = adjusted.daily_goal_minutes
    if adjusted.session_minutes is not None:
        changes["session_minutes"] = adjusted.session_minutes
    if adjusted.preferred_time_of_day is not None:
        changes["preferred_time_of_day"] = adjusted.preferred_time_of_day
    if adjusted.restricts_time:
        changes["availability"] = clipped(prefs.availability, adjusted.limits)
    if not changes:
        return request
    # model_copy skips validation: clipping may split a window in two (more than 28).
    return request.model_copy(update={"preferences": prefs.model_copy(update=changes)})


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
    adjusted: Adjustments,
    week: Week,
    timeline: Timeline,
    today: date,
    open_subjects: list[int],
    rooms: dict[date, int],
) -> tuple[StudySubject, ...]:
    chosen = [request.subjects[i] for i in open_subjects]
    kept = [_minutes(request.keep_sessions, s.subject_id) for s in chosen]
    makeups = [
        0 if s.subject_id in adjusted.less else _minutes(missed(request), s.subject_id)
        for s in chosen
    ]
    wanted = [
        _asked(
            adjusted,
            s.subject_id,
            needs.need(needs.weekly_need(s, today, adjusted.shares.get(s.subject_id, 1.0)), k, m),
        )
        for s, k, m in zip(chosen, kept, makeups, strict=True)
    ]
    caps = [
        sum(room for day, room in rooms.items() if s.exam_date is None or day < s.exam_date)
        for s in chosen
    ]
    targeted = [
        s.target_minutes_per_week is not None or s.subject_id in adjusted.less for s in chosen
    ]
    asked = [s.subject_id in adjusted.floors for s in chosen]
    shares = needs.fair_shares_asked_first(wanted, targeted, caps, sum(rooms.values()), asked)
    studied = []
    for position, subject in enumerate(chosen):
        cutoff = week.exam_cutoff(subject)
        review: frozenset[date] = frozenset()
        reviewed = False
        if subject.exam_date is not None:
            before = {subject.exam_date - i * DAY for i in range(1, objective.REVIEW_DAYS + 1)}
            review = frozenset(day for day in before if day in rooms and day >= today)
            reviewed = any(
                k.subject_id == subject.subject_id and local_date(k.starts_at, week.zone) in before
                for k in request.keep_sessions
            )
        studied.append(
            StudySubject(
                index=open_subjects[position],
                cutoff=None if cutoff is None else timeline.minute(cutoff, up=False),
                targeted=targeted[position],
                kept_minutes=kept[position],
                need=wanted[position],
                makeup=makeups[position],
                priority=objective.priority(subject, today),
                fair_share=shares[position],
                review_days=review,
                reviewed=reviewed,
            )
        )
    return tuple(studied)


def _asked(adjusted: Adjustments, subject_id: UUID, need: int) -> int:
    """The need within what the feedback asked of the subject (more / less than before)."""
    if subject_id in adjusted.floors:
        need = max(need, adjusted.floors[subject_id])
    if subject_id in adjusted.ceilings:
        need = min(need, adjusted.ceilings[subject_id])
    return need


def _minutes(sessions: tuple[SessionSnapshot, ...] | list[SessionSnapshot], subject_id) -> int:
    seconds = sum(
        (k.ends_at - k.starts_at).total_seconds()
        for k in sessions
        if k.subject_id == subject_id and k.ends_at > k.starts_at
    )
    return int(seconds // 60)


def _previous(
    request: PlanRequested,
    adjusted: Adjustments,
    subjects: tuple[StudySubject, ...],
    slots: list[Slot],
    timeline: Timeline,
    length: int,
    week: Week,
) -> dict[tuple[int, int], int]:
    """The replaced plan's planned sessions that fit the free time exactly as they were, are
    no longer than a session now is, and agree with the feedback's wishes."""
    position = {request.subjects[s.index].subject_id: p for p, s in enumerate(subjects)}
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
        fits = MIN_LENGTH <= end - start <= min(MAX_LENGTH, length)
        local = session.starts_at.astimezone(week.zone)
        agrees = adjusted.agrees(session.subject_id, local.hour * 60 + local.minute, end - start)
        if exact and fits and agrees and slot_containing(slots, start, end):
            still_possible[(start, end)] = position[session.subject_id]
    return still_possible
