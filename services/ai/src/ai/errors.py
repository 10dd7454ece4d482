"""The ai service's error types: each answers as problem+json with its status and stable code."""

from schediora_runtime.problems import Conflict, NotFound, ProblemError


class GenerationNotFound(NotFound):
    """No such generation for this user (another user's generation is "not found" too)."""


class FeedbackExists(Conflict):
    code = "feedback_exists"


class UnknownSubject(ProblemError):
    """Feedback names a subject the generation was not made for: a 422 naming the field."""

    status = 422
    code = "unknown_subject"

    def __init__(self, errors: list[dict[str, object]]) -> None:
        super().__init__("The feedback names subjects this plan was not made for.", errors=errors)
