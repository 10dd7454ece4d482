"""Schediora's integration contracts: the event envelope, every event, the problem document."""

from schediora_contracts.envelope import EventEnvelope
from schediora_contracts.events import (
    EVENT_TYPES,
    Event,
    PlanGenerated,
    PlanGenerationFailed,
    PlanGenerationStarted,
    PlanRequested,
    UserPreferencesUpdated,
    UserRegistered,
)
from schediora_contracts.problems import Problem, ProblemFieldError

__all__ = [
    "EVENT_TYPES",
    "Event",
    "EventEnvelope",
    "PlanGenerated",
    "PlanGenerationFailed",
    "PlanGenerationStarted",
    "PlanRequested",
    "Problem",
    "ProblemFieldError",
    "UserPreferencesUpdated",
    "UserRegistered",
]
