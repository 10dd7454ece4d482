"""The ai service's error types: each answers as problem+json with its status and stable code."""

from schediora_runtime.problems import Conflict, NotFound


class GenerationNotFound(NotFound):
    """No such generation for this user (another user's generation is "not found" too)."""


class FeedbackExists(Conflict):
    code = "feedback_exists"
