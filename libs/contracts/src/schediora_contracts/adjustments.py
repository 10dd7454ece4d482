"""The strict form of `FeedbackAdjustments` that both HTTP edges accept (the planner's
`POST /ai/plans/reschedule` and the ai's `POST /feedback`): the contract's limits, no unknown
field, and the rules between fields, each error located at the field at fault."""

from collections.abc import Collection, Sequence
from typing import Any
from uuid import UUID

from pydantic import ConfigDict, ValidationInfo, field_validator

from schediora_contracts.common import FeedbackAdjustments

SUBJECT_FIELDS = ("more", "less")

EXAMPLES: dict[str, dict[str, Any]] = {
    "evenings_and_free_weekend": {
        "summary": "Evenings, weekend free, shorter sessions",
        "value": {
            "avoid_periods": ["morning"],
            "prefer_period": "evening",
            "free_days": [5, 6],
            "session_length": "shorter",
        },
    },
    "subjects_and_hours": {
        "summary": "More of one subject, less of another, between 10:00 and 21:00",
        "value": {
            "more": ["5f0c1a52-3f5e-4f7e-9d6c-2b1c8e9a0d11"],
            "less": ["8a2d4b6c-1e3f-4a5b-8c7d-9e0f1a2b3c4d"],
            "daily_load": "lighter",
            "not_before": "10:00",
            "not_after": "21:00",
        },
    },
}
"""OpenAPI examples of the `adjustments` object."""


def _no_repeats(values: Sequence[Any]) -> Sequence[Any]:
    repeated = sorted({str(v) for v in values if values.count(v) > 1})
    if repeated:
        raise ValueError(f"listed more than once: {', '.join(repeated)}")
    return values


class AdjustmentsInput(FeedbackAdjustments):
    """`FeedbackAdjustments` as a request body part: unknown fields, repeats and contradictions
    (a subject both `more` and `less`, the preferred period also avoided, `not_after` not later
    than `not_before`) are refused. Whether `more`/`less` name the student's own subjects is
    checked by the service that knows them (`unknown_subjects`)."""

    model_config = ConfigDict(extra="forbid")

    def contract(self) -> FeedbackAdjustments:
        """The same wishes as the contract's own type (equal to, and compared with, others)."""
        return FeedbackAdjustments.model_validate(self.model_dump())

    @field_validator("more", "less", "avoid_periods", "free_days")
    @classmethod
    def _listed_once(cls, values: Sequence[Any]) -> Sequence[Any]:
        return _no_repeats(values)

    @field_validator("less")
    @classmethod
    def _not_also_more(cls, less: Sequence[UUID], info: ValidationInfo) -> Sequence[UUID]:
        both = set(less) & set(info.data.get("more", ()))
        if both:
            raise ValueError(
                f"also in `more`: {', '.join(sorted(map(str, both)))}; ask for more or less"
            )
        return less

    @field_validator("prefer_period")
    @classmethod
    def _not_also_avoided(cls, period: str | None, info: ValidationInfo) -> str | None:
        if period is not None and period in info.data.get("avoid_periods", ()):
            raise ValueError(f"`{period}` is also in `avoid_periods`")
        return period

    @field_validator("not_after")
    @classmethod
    def _after_not_before(cls, not_after: str | None, info: ValidationInfo) -> str | None:
        not_before = info.data.get("not_before")
        if not_after is not None and not_before is not None and not_after <= not_before:
            raise ValueError(f"must be later than `not_before` ({not_before})")
        return not_after


def unknown_subjects(
    adjustments: FeedbackAdjustments, known: Collection[UUID]
) -> list[tuple[str, int, UUID]]:
    """(field, index, id) of every subject in `more`/`less` that is not in `known`."""
    return [
        (name, index, subject_id)
        for name in SUBJECT_FIELDS
        for index, subject_id in enumerate(getattr(adjustments, name))
        if subject_id not in known
    ]


def only_subjects(adjustments: FeedbackAdjustments, known: Collection[UUID]) -> FeedbackAdjustments:
    """The adjustments without the `more`/`less` subjects that are not in `known` (a subject
    deleted since the wish was made)."""
    return adjustments.model_copy(
        update={
            name: tuple(s for s in getattr(adjustments, name) if s in known)
            for name in SUBJECT_FIELDS
        }
    )
