"""Reading an LLM's answer `{"calendar": [...]}` into planned sessions. Anything that does not
read as that shape, with RFC 3339 times that carry their offset, is malformed."""

from datetime import UTC
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from schediora_contracts.common import PlannedSession
from schediora_contracts.limits import (
    SESSION_RATIONALE_MAX_LENGTH,
    SESSION_TITLE_MAX_LENGTH,
    SESSIONS_PER_PLAN_MAX,
)

ANSWER_SESSIONS_READ_MAX = 2 * SESSIONS_PER_PLAN_MAX
"""How many sessions an answer may list and still be read. More than a plan may hold on
purpose: the validator then names the excess (`too_many_sessions`) so the model can repair it."""


class MalformedAnswer(ValueError):
    """The answer is not the calendar the schema asks for; the message says what is wrong."""


class _Session(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    subject_id: UUID
    title: str = Field(min_length=1, max_length=SESSION_TITLE_MAX_LENGTH)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    rationale: str | None = None


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")

    calendar: list[_Session] = Field(max_length=ANSWER_SESSIONS_READ_MAX)


def parse(content: str | None) -> tuple[PlannedSession, ...]:
    """The answer's sessions in UTC, in the answer's order (the validator's session numbers
    refer to it); `MalformedAnswer` when it is unreadable."""
    if not content or not content.strip():
        raise MalformedAnswer("the answer was empty")
    try:
        # Strict: times must be RFC 3339 strings (no bare numbers taken as Unix time).
        answer = _Answer.model_validate_json(content, strict=True)
    except ValidationError as exc:
        raise MalformedAnswer(_summary(exc)) from None
    return tuple(
        PlannedSession(
            subject_id=item.subject_id,
            title=item.title,
            starts_at=item.starts_at.astimezone(UTC),
            ends_at=item.ends_at.astimezone(UTC),
            rationale=(item.rationale or None) and item.rationale[:SESSION_RATIONALE_MAX_LENGTH],
        )
        for item in answer.calendar
    )


def _summary(exc: ValidationError) -> str:
    errors = exc.errors(include_url=False)
    if errors and errors[0]["type"] == "json_invalid":
        return f"it is not valid JSON ({errors[0]['msg']})"
    shown = "; ".join(
        f"{'.'.join(str(part) for part in error['loc']) or 'answer'}: {error['msg']}"
        for error in errors[:5]
    )
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return f"it does not match the schema: {shown}{more}"
