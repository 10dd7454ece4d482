"""Reading an LLM's answer `{"calendar": [...]}` into planned sessions. Anything that does not
read as that shape, with RFC 3339 times that carry their offset, is malformed."""

from datetime import UTC
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from ai.providers.prompt import MAX_TITLE
from schediora_contracts.common import PlannedSession

MAX_SESSIONS = 400
"""More than a week can hold (7 days x 720 minutes in 15-minute sessions is 336)."""
MAX_RATIONALE = 500


class MalformedAnswer(ValueError):
    """The answer is not the calendar the schema asks for; the message says what is wrong."""


class _Session(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    subject_id: UUID
    title: str = Field(min_length=1, max_length=MAX_TITLE)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    rationale: str | None = None


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")

    calendar: list[_Session] = Field(max_length=MAX_SESSIONS)


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
            rationale=(item.rationale or None) and item.rationale[:MAX_RATIONALE],
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
