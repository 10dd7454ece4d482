"""The planner's error types: each answers as problem+json with its status and stable code."""

from schediora_runtime.problems import Conflict, NotFound, ProblemError, TooManyRequests


class SubjectNotFound(NotFound):
    """No such subject for this user (another user's subject is "not found" too)."""


class SubjectExists(Conflict):
    code = "subject_exists"


class SubjectLimitReached(ProblemError):
    status = 422
    code = "limit_reached"


class PlanNotFound(NotFound):
    """No such plan for this user (another user's plan is "not found" too)."""


class SessionNotFound(NotFound):
    """No such session for this user (another user's session is "not found" too)."""


class NoCurrentPlan(NotFound):
    code = "no_current_plan"


class PlanExists(Conflict):
    code = "plan_exists"


class SessionOverlap(Conflict):
    code = "session_overlap"


class InvalidTransition(Conflict):
    code = "invalid_transition"


class SessionIsHistory(Conflict):
    """A session of a superseded plan: history is shown, never changed (DEVELOPERS.md)."""

    code = "plan_superseded"


class SessionLimitReached(ProblemError):
    status = 422
    code = "limit_reached"


class InvalidInput(ProblemError):
    """A request the models accepted but the rules refuse: a 422 naming the field at fault."""

    status = 422
    code = "validation_error"

    def __init__(self, loc: list[str | int], msg: str) -> None:
        super().__init__("The request is not valid.", errors=[{"loc": loc, "msg": msg}])


class InvalidDateRange(ProblemError):
    """`GET /sessions?from=&to=`: a range that is incomplete, reversed, too long or combined
    with `week`; a 422 naming the parameter at fault."""

    status = 422
    code = "invalid_date_range"

    def __init__(self, loc: list[str | int], msg: str) -> None:
        super().__init__(msg, errors=[{"loc": loc, "msg": msg}])


class UnknownSubject(ProblemError):
    """Feedback names a subject that is not one of the user's: a 422 naming the field at fault."""

    status = 422
    code = "unknown_subject"

    def __init__(self, errors: list[dict[str, object]]) -> None:
        super().__init__("The feedback names subjects that are not yours.", errors=errors)


class JobNotFound(NotFound):
    """No such AI job for this user (another user's job is "not found" too)."""


class WeeklyPlanExists(Conflict):
    code = "weekly_plan_exists"


class GenerationInProgress(Conflict):
    """The week's window is held by a queued or running job; the body names it (`job_id`)."""

    code = "generation_in_progress"


class NoSubjects(ProblemError):
    status = 422
    code = "no_subjects"


class OnboardingRequired(ProblemError):
    """Generation needs the user's availability, set through `PUT /users/preferences`.

    Auth publishes the preferences as an event, so right after onboarding the planner may not
    have them for a moment: `Retry-After` tells a client that just saved them when to ask again,
    and `preferences_received` (in the body) whether the planner has any preferences yet.
    """

    status = 422
    code = "onboarding_required"
    RETRY_AFTER_SECONDS = 1

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.RETRY_AFTER_SECONDS)}


class NoFeed(NotFound):
    """The user has no calendar feed (never made, or revoked)."""

    code = "no_feed"


class FeedNotFound(NotFound):
    """A feed token that is unknown, rotated or revoked: a plain 404, like a missing path."""


class InvalidCalendar(ProblemError):
    """An uploaded timetable that cannot become busy times; `reason` says which rule it broke
    (`not_icalendar`, `too_many_events`, `unbounded_recurrence`, `too_many_occurrences`)."""

    status = 422
    code = "invalid_calendar"


class UnsupportedMediaType(ProblemError):
    status = 415
    code = "unsupported_media_type"


class TooManyPlanRequests(TooManyRequests):
    """More plans asked for than the window allows (`GENERATION_REQUESTS_PER_WINDOW`)."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(
            retry_after_seconds, "Too many plan requests in a short time; try again later."
        )
