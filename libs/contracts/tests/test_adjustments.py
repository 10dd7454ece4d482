"""The strict adjustments model both HTTP edges accept, and its subject helpers."""

import uuid

import pytest
from pydantic import ValidationError

from schediora_contracts.adjustments import AdjustmentsInput, only_subjects, unknown_subjects
from schediora_contracts.common import FeedbackAdjustments

A, B, C = (uuid.uuid4() for _ in range(3))


@pytest.mark.parametrize(
    ("given", "loc"),
    [
        ({"extra": 1}, ("extra",)),
        ({"more": [A], "less": [B, A]}, ("less",)),
        ({"free_days": [1, 1]}, ("free_days",)),
        ({"avoid_periods": ["evening", "evening"]}, ("avoid_periods",)),
        ({"avoid_periods": ["afternoon"], "prefer_period": "afternoon"}, ("prefer_period",)),
        ({"not_before": "18:00", "not_after": "17:59"}, ("not_after",)),
        ({"not_before": "24:00"}, ("not_before",)),
    ],
)
def test_a_contradiction_or_unknown_field_is_refused_at_its_field(given, loc):
    with pytest.raises(ValidationError) as raised:
        AdjustmentsInput.model_validate(given)
    assert [error["loc"] for error in raised.value.errors()] == [loc]


def test_a_consistent_set_is_accepted_and_is_a_contract_value():
    given = AdjustmentsInput.model_validate(
        {
            "more": [A],
            "less": [B],
            "avoid_periods": ["morning"],
            "prefer_period": "evening",
            "free_days": [5, 6],
            "not_before": "09:00",
            "not_after": "21:30",
        }
    )
    contract = given.contract()
    assert type(contract) is FeedbackAdjustments
    assert FeedbackAdjustments.model_validate(given.model_dump(mode="json")) == contract
    assert AdjustmentsInput().contract().is_empty()


def test_subjects_outside_the_known_ones_are_named_or_dropped():
    adjustments = FeedbackAdjustments(more=(A, C), less=(B,))
    assert unknown_subjects(adjustments, {A}) == [("more", 1, C), ("less", 0, B)]
    assert only_subjects(adjustments, {A, B}) == FeedbackAdjustments(more=(A,), less=(B,))
