"""A comment read into wishes (placeholder: understands nothing yet)."""

from collections.abc import Sequence
from dataclasses import dataclass

from schediora_contracts.common import FeedbackAdjustments, SubjectSnapshot


@dataclass(frozen=True)
class Understanding:
    wishes: FeedbackAdjustments
    not_understood: tuple[str, ...]


def interpret(text: str, subjects: Sequence[SubjectSnapshot]) -> Understanding:
    return Understanding(FeedbackAdjustments(), (text,) if text.strip() else ())
