"""What a scheduler returns: the sessions and how good they are, or why there are none."""

from collections.abc import Mapping
from dataclasses import dataclass, field

from schediora_contracts.common import PlannedSession


@dataclass(frozen=True)
class Schedule:
    sessions: tuple[PlannedSession, ...]
    quality: Mapping[str, float | int | str | dict] = field(default_factory=dict)


class NoFeasiblePlan(Exception):
    """No plan can be made for this request; `code` is stable (`no_available_time`, ...)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __reduce__(self):
        # Raised in a solver process, it crosses back pickled: rebuild it from both fields.
        return (type(self), (self.code, self.message))
