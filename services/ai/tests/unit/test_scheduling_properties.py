"""Properties over random requests: every plan passes the validator, and the same request gives
the same plan, across time zones (DST weeks included), preferences, subjects and exam dates, and
reschedules with kept, skipped and missed sessions and feedback on the replaced plan."""

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ai.scheduling import NoFeasiblePlan, Schedule, score, solve, validate
from ai.scheduling.brief import Brief
from ai.scheduling.quality import TERMS
from schediora_contracts.common import (
    AvailabilityWindow,
    FeedbackAdjustments,
    FeedbackSnapshot,
    Preferences,
    SessionSnapshot,
    SubjectSnapshot,
)
from schediora_contracts.events import PlanRequested
from schediora_contracts.local_time import day_bounds, wall_ranges, zone_of

ZONES = (
    "UTC",
    "Europe/Berlin",
    "America/Los_Angeles",
    "America/Santiago",
    "Australia/Lord_Howe",
    "Pacific/Kiritimati",
    "Pacific/Chatham",
    "Asia/Kathmandu",
)
MONDAYS = (
    date(2026, 11, 23),
    date(2026, 3, 23),  # Europe springs forward on Sunday
    date(2026, 10, 19),  # Europe falls back on Sunday
    date(2026, 3, 2),  # the US springs forward on Sunday
    date(2026, 10, 26),  # the US falls back on Sunday
    date(2026, 3, 30),  # Chile falls back and Lord Howe goes back half an hour on Sunday
    date(2026, 8, 31),  # Chile springs forward on Sunday (its midnight is skipped)
    date(2026, 9, 21),  # Chatham springs forward on Sunday
)
REFUSALS = {"no_available_time", "no_subjects", "nothing_to_plan"}
COMMENTS = (
    "no mornings",
    "evenings only",
    "only in the afternoon",
    "not after 9pm",
    "not before 10am",
    "no weekends",
    "prefer mornings",
    "too long",
    "too short",
    "too much",
    "more subject 0",
    "less subject 1, no evenings",
    "great!",
)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def availability(draw) -> tuple[AvailabilityWindow, ...]:
    """Up to 28 windows at any minute, none overlapping on a weekday; some end at 24:00."""
    drawn = draw(
        st.lists(
            st.tuples(
                st.integers(0, 6),
                st.integers(0, 24 * 60 - 15),
                st.integers(15, 8 * 60),
            ),
            min_size=1,
            max_size=28,
        )
    )
    taken: dict[int, list[tuple[int, int]]] = {}
    for weekday, start, length in drawn:
        end = min(start + length, 24 * 60)
        spans = taken.setdefault(weekday, [])
        if all(end <= s or start >= e for s, e in spans):
            spans.append((start, end))
    return tuple(
        AvailabilityWindow(weekday=weekday, start=hhmm(start), end=hhmm(end))
        for weekday, spans in sorted(taken.items())
        for start, end in sorted(spans)
    )


@st.composite
def plan_requests(draw, *, with_feedback: bool = False) -> PlanRequested:
    """A random request; `with_feedback`: a reschedule with a commented rating."""
    zone = draw(st.sampled_from(ZONES))
    week_start = draw(st.sampled_from(MONDAYS))
    if draw(st.booleans()):
        week_start -= timedelta(days=1)  # a week that starts on Sunday
    preferences = Preferences(
        timezone=zone,
        week_starts_on="monday" if week_start.weekday() == 0 else "sunday",
        daily_goal_minutes=draw(st.integers(15, 720)),
        session_minutes=draw(st.integers(15, 240)),
        break_minutes=draw(st.integers(0, 60)),
        availability=draw(availability()),
        preferred_time_of_day=draw(st.sampled_from(("morning", "afternoon", "evening", "any"))),
    )
    subjects = tuple(
        SubjectSnapshot(
            subject_id=UUID(int=n + 1),
            name=f"Subject {n}",
            exam_date=draw(
                st.none() | st.integers(-3, 21).map(lambda d: week_start + timedelta(days=d))
            ),
            difficulty=draw(st.integers(1, 5)),
            target_minutes_per_week=draw(st.none() | st.integers(0, 20).map(lambda n: n * 30)),
        )
        for n in range(draw(st.integers(0, 8)))
    )
    start = day_bounds(week_start, zone_of(zone))[0]
    kind = "reschedule" if with_feedback else draw(st.sampled_from(("generate", "reschedule")))
    keep, previous, not_before, feedback = (), (), None, None
    if kind == "reschedule":
        not_before = start + timedelta(seconds=draw(st.integers(0, 8 * 24 * 3600)))
        keep = _apart(draw(st.lists(_session(start, subjects, "completed"), max_size=4)))
        statuses = st.sampled_from(("planned", "planned", "skipped", "in_progress"))
        previous = tuple(draw(st.lists(_session(start, subjects, statuses), max_size=6)))
        comments = st.sampled_from(COMMENTS)
        chips = st.none() | _chips(subjects)
        feedback = draw(
            st.builds(
                FeedbackSnapshot, rating=st.integers(1, 5), comments=comments, adjustments=chips
            )
            if with_feedback
            else st.none()
            | st.builds(
                FeedbackSnapshot,
                rating=st.integers(1, 5),
                comments=st.none() | st.sampled_from(COMMENTS) | st.text(max_size=40),
            )
        )
    return PlanRequested(
        job_id=UUID(int=1),
        user_id=UUID(int=2),
        kind=kind,
        week_start=week_start,
        week_end=week_start + timedelta(days=6),
        timezone=zone,
        preferences=preferences,
        subjects=subjects,
        keep_sessions=keep,
        previous_sessions=previous,
        not_before=not_before,
        feedback=feedback,
        requested_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def _chips(subjects: tuple[SubjectSnapshot, ...]) -> st.SearchStrategy[FeedbackAdjustments]:
    """The app's structured wishes, any mix of them."""
    ids = [s.subject_id for s in subjects]
    some_ids = st.lists(st.sampled_from(ids), max_size=2, unique=True) if ids else st.just([])
    periods = st.sampled_from(("morning", "afternoon", "evening"))
    clock = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.sampled_from((0, 30)))
    return st.builds(
        FeedbackAdjustments,
        more=some_ids,
        less=some_ids,
        avoid_periods=st.lists(periods, max_size=2, unique=True),
        prefer_period=st.none() | periods,
        free_days=st.lists(st.integers(0, 6), max_size=3, unique=True),
        session_length=st.none() | st.sampled_from(("shorter", "longer")),
        daily_load=st.none() | st.sampled_from(("lighter", "heavier")),
        not_before=st.none() | clock,
        not_after=st.none() | clock,
    )


def _session(start: datetime, subjects: tuple[SubjectSnapshot, ...], status):
    return st.builds(
        lambda offset, length, subject_id, status: SessionSnapshot(
            session_id=UUID(int=offset),
            subject_id=subject_id,
            title="Earlier",
            starts_at=start + timedelta(minutes=offset),
            ends_at=start + timedelta(minutes=offset + length),
            status=status,
        ),
        st.integers(0, 7 * 24 * 60),
        st.integers(15, 180),
        st.sampled_from([s.subject_id for s in subjects]) if subjects else st.none(),
        status if isinstance(status, st.SearchStrategy) else st.just(status),
    )


def _apart(sessions: list[SessionSnapshot]) -> tuple[SessionSnapshot, ...]:
    """Kept sessions of one user never overlap each other."""
    kept: list[SessionSnapshot] = []
    for session in sorted(sessions, key=lambda s: s.starts_at):
        if not kept or session.starts_at >= kept[-1].ends_at:
            kept.append(session)
    return tuple(kept)


def outcome(request: PlanRequested) -> Schedule | NoFeasiblePlan:
    try:
        return solve(request)
    except NoFeasiblePlan as refused:
        return refused


@FAST
@given(plan_requests())
def test_every_plan_passes_the_validator_or_is_refused_with_a_known_code(request):
    result = outcome(request)
    if isinstance(result, NoFeasiblePlan):
        event(f"refused: {result.code}")
        assert result.code in REFUSALS
        return
    event(f"planned {'some' if result.sessions else 'no'} sessions")
    if request.feedback is not None:
        event(f"feedback applied: {bool(result.quality['feedback']['applied'])}")
    assert validate(request, result.sessions) == []
    assert result.quality["status"] in ("optimal", "feasible", "greedy")
    assert result.quality["terms"] == score(request, result.sessions)
    assert set(result.quality["terms"]) == set(TERMS)
    assert all(0 <= value <= 1 for value in result.quality["terms"].values())
    assert all(minutes > 0 for minutes in result.quality["shortfall"].values())


@settings(FAST, max_examples=60)
@given(plan_requests(with_feedback=True))
def test_feedback_time_rules_leave_no_session_in_the_blocked_times(request):
    result = outcome(request)
    if isinstance(result, NoFeasiblePlan):
        return
    limits = Brief.of(request).adjustments.limits
    event(f"blocked: {bool(limits)}")
    zone = zone_of(request.timezone)
    for session in result.sessions:
        start, end = session.starts_at.astimezone(zone), session.ends_at.astimezone(zone)
        assert start.weekday() not in limits.free_days
        first = start.hour * 60 + start.minute
        last = end.hour * 60 + end.minute if end.date() == start.date() else 24 * 60
        if last <= first:
            continue  # a DST change inside the session: its wall clock runs back
        assert not any(first < high and low < last for low, high, _ in limits.blocked)


@settings(FAST, max_examples=40)
@given(plan_requests())
def test_the_same_request_gives_the_same_plan(request):
    first, second = outcome(request), outcome(request)
    if isinstance(first, NoFeasiblePlan):
        assert isinstance(second, NoFeasiblePlan)
        assert (second.code, second.message) == (first.code, first.message)
        return
    assert isinstance(second, Schedule)
    assert second.sessions == first.sessions
    assert second.quality["objective"] == first.quality["objective"]


@settings(FAST, max_examples=40)
@given(
    zone=st.sampled_from(ZONES),
    day=st.sampled_from(MONDAYS).flatmap(
        lambda monday: st.integers(0, 6).map(lambda d: monday + timedelta(days=d))
    ),
    start=st.integers(0, 24 * 60 - 1),
    length=st.integers(1, 24 * 60),
)
def test_a_wall_time_range_is_exactly_the_instants_showing_those_times(zone, day, start, length):
    end = min(start + length, 24 * 60)
    tz = zone_of(zone)
    ranges = wall_ranges(day, start, end, tz)
    first, last = day_bounds(day, tz)
    instant = first
    while instant < last:
        local = instant.astimezone(tz)
        shown = local.hour * 60 + local.minute
        inside = local.date() == day and start <= shown < end
        assert inside == any(a <= instant < b for a, b in ranges), instant
        instant += timedelta(minutes=1)
