"""Every integration event, versioned. Names are past tense; types are `<producer>.<fact>`."""

from datetime import date
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from schediora_contracts.common import (
    BusyInterval,
    ContractModel,
    CoverageWarning,
    FeedbackReport,
    FeedbackSnapshot,
    PlannedSession,
    Preferences,
    SessionSnapshot,
    SubjectSnapshot,
)
from schediora_contracts.envelope import routing_key
from schediora_contracts.limits import SESSIONS_PER_PLAN_MAX


class Event(ContractModel):
    """An event payload. `event_type` and `version` identify it on the wire."""

    event_type: ClassVar[str]
    version: ClassVar[int]
    aggregate: ClassVar[str]
    """Name of the payload field holding the aggregate id: events of one aggregate stay ordered."""

    @classmethod
    def routing_key(cls) -> str:
        return routing_key(cls.event_type, cls.version)


class UserRegistered(Event):
    event_type: ClassVar[str] = "auth.user_registered"
    version: ClassVar[int] = 1
    aggregate: ClassVar[str] = "user_id"

    user_id: UUID
    email: str
    display_name: str | None = None
    registered_at: AwareDatetime


class UserPreferencesUpdated(Event):
    """Carries the full preferences (a replace), so a consumer never needs to merge."""

    event_type: ClassVar[str] = "auth.user_preferences_updated"
    version: ClassVar[int] = 1
    aggregate: ClassVar[str] = "user_id"

    user_id: UUID
    preferences: Preferences
    updated_at: AwareDatetime


class PlanRequested(Event):
    """Event-carried state: everything the generator needs, so it never calls back."""

    event_type: ClassVar[str] = "planner.plan_requested"
    version: ClassVar[int] = 1
    aggregate: ClassVar[str] = "user_id"

    job_id: UUID
    user_id: UUID
    kind: Literal["generate", "reschedule"]
    week_start: date
    week_end: date
    timezone: str
    preferences: Preferences
    subjects: tuple[SubjectSnapshot, ...]
    keep_sessions: tuple[SessionSnapshot, ...] = ()
    previous_plan_id: UUID | None = None
    previous_generation_id: UUID | None = None
    previous_sessions: tuple[SessionSnapshot, ...] = ()
    feedback: FeedbackSnapshot | None = None
    notes: str | None = Field(default=None, max_length=1000)
    not_before: AwareDatetime | None = None
    requested_at: AwareDatetime
    busy: tuple[BusyInterval, ...] = ()
    """Busy occurrences (the student's timetable) that overlap the week: no new session may
    overlap one. Empty when the student has uploaded none."""
    deadline_at: AwareDatetime | None = None
    """When the planner fails the job (`generation_timeout`) if no outcome has arrived; an
    outcome after it is not stored. The generator begins no plan past it and bounds the LLM's
    time by it. None from a planner that sends none: no bound."""


class PlanGenerationStarted(Event):
    event_type: ClassVar[str] = "ai.plan_generation_started"
    version: ClassVar[int] = 1
    aggregate: ClassVar[str] = "job_id"

    job_id: UUID
    user_id: UUID
    started_at: AwareDatetime


class PlanGenerated(Event):
    event_type: ClassVar[str] = "ai.plan_generated"
    version: ClassVar[int] = 1
    aggregate: ClassVar[str] = "job_id"

    job_id: UUID
    user_id: UUID
    generation_id: UUID
    kind: Literal["generate", "reschedule"]
    week_start: date
    provider: str
    model: str | None = None
    sessions: tuple[PlannedSession, ...] = Field(max_length=SESSIONS_PER_PLAN_MAX)
    feedback: FeedbackReport | None = None
    """For a reschedule with feedback: what was understood, applied and not met."""
    warnings: tuple[CoverageWarning, ...] = ()
    """Exams the plan cannot fully cover; empty when every exam's need is met."""
    generated_at: AwareDatetime


class PlanGenerationFailed(Event):
    event_type: ClassVar[str] = "ai.plan_generation_failed"
    version: ClassVar[int] = 1
    aggregate: ClassVar[str] = "job_id"

    job_id: UUID
    user_id: UUID
    code: str = Field(pattern=r"^[a-z_]+$", examples=["no_available_time"])
    message: str
    failed_at: AwareDatetime


class SessionsRevoked(Event):
    """Sessions (refresh-token families, the `sid` of access tokens) that ended before their
    time: every access token carrying one of these ids is refused from now on."""

    event_type: ClassVar[str] = "auth.sessions_revoked"
    version: ClassVar[int] = 1
    aggregate: ClassVar[str] = "user_id"

    user_id: UUID
    session_ids: tuple[UUID, ...] = Field(min_length=1)
    reason: Literal[
        "logout", "refresh_token_reuse", "password_changed", "password_reset", "logout_all"
    ]
    revoked_at: AwareDatetime


class UserDeleted(Event):
    """The account is gone: every token of the user is refused, every service erases the
    user's data, and nothing may be written for the user afterwards."""

    event_type: ClassVar[str] = "auth.user_deleted"
    version: ClassVar[int] = 1
    aggregate: ClassVar[str] = "user_id"

    user_id: UUID
    deleted_at: AwareDatetime


class SigningKeysRotated(Event):
    """Auth's published signing keys changed (a new key signs, or a key was withdrawn): every
    service that verifies access tokens drops the keys not in `kids` at once and refetches the
    JWKS, so a withdrawn key stops being accepted without waiting for its cache."""

    event_type: ClassVar[str] = "auth.signing_keys_rotated"
    version: ClassVar[int] = 1
    aggregate: ClassVar[str] = "issuer"

    issuer: str = Field(min_length=1, max_length=200)
    signing_kid: str = Field(min_length=1, max_length=200)
    kids: tuple[str, ...] = Field(min_length=1, max_length=50)
    """Every kid auth publishes now (the signing one included)."""
    withdrawn_kids: tuple[str, ...] = Field(default=(), max_length=50)
    rotated_at: AwareDatetime


EVENT_TYPES: dict[tuple[str, int], type[Event]] = {
    (event.event_type, event.version): event
    for event in (
        UserRegistered,
        UserPreferencesUpdated,
        PlanRequested,
        PlanGenerationStarted,
        PlanGenerated,
        PlanGenerationFailed,
        SessionsRevoked,
        UserDeleted,
        SigningKeysRotated,
    )
}
"""Every known (type, version) and its payload model: the registry consumers decode with."""


class UnknownEvent(LookupError):
    """No payload model for this (type, version): a consumer must not guess."""


def payload_model(event_type: str, version: int) -> type[Event]:
    try:
        return EVENT_TYPES[(event_type, version)]
    except KeyError:
        raise UnknownEvent(f"unknown event {event_type} v{version}") from None
