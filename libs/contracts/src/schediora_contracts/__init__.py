"""Schediora's integration contracts: the event envelope, every event, the problem document."""

from schediora_contracts.envelope import EventEnvelope
from schediora_contracts.events import (
    EVENT_TYPES,
    Event,
    PlanGenerated,
    PlanGenerationFailed,
    PlanGenerationStarted,
    PlanRequested,
    SessionsRevoked,
    SigningKeysRotated,
    UnknownEvent,
    UserDeleted,
    UserPreferencesUpdated,
    UserRegistered,
    payload_model,
)
from schediora_contracts.limits import ACCESS_TOKEN_MAX_TTL_SECONDS
from schediora_contracts.problems import PROBLEM_MEDIA_TYPE, Problem, ProblemFieldError

__all__ = [
    "ACCESS_TOKEN_MAX_TTL_SECONDS",
    "EVENT_TYPES",
    "PROBLEM_MEDIA_TYPE",
    "Event",
    "EventEnvelope",
    "PlanGenerated",
    "PlanGenerationFailed",
    "PlanGenerationStarted",
    "PlanRequested",
    "Problem",
    "ProblemFieldError",
    "SessionsRevoked",
    "SigningKeysRotated",
    "UnknownEvent",
    "UserDeleted",
    "UserPreferencesUpdated",
    "UserRegistered",
    "payload_model",
]
