"""The planner's error types: each answers as problem+json with its status and stable code."""

from schediora_runtime.problems import Conflict, NotFound, ProblemError


class SubjectNotFound(NotFound):
    """No such subject for this user (another user's subject is "not found" too)."""


class SubjectExists(Conflict):
    code = "subject_exists"


class SubjectLimitReached(ProblemError):
    status = 422
    code = "limit_reached"


class InvalidCursor(ProblemError):
    """A `?cursor=` this API did not hand out: a validation error on that parameter."""

    status = 422
    code = "validation_error"

    def __init__(self) -> None:
        super().__init__(
            "The request is not valid.",
            errors=[{"loc": ["query", "cursor"], "msg": "Not a cursor this API returned."}],
        )
