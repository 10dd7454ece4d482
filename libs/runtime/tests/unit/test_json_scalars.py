"""A request body's numbers, booleans, dates and UUIDs must arrive as the JSON type the OpenAPI
document gives them; pydantic's lax mode alone would coerce `true`, `"5"` or `0` (a date)."""

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import pytest
from pydantic import Field, ValidationError

from schediora_runtime.problems import StrictModel

UUID_TEXT = "0b6f2c1e-7d4a-4f3b-9c2e-5a1d8e7f6b3c"


class Body(StrictModel):
    count: Annotated[int, Field(ge=0)] = 0
    ratio: float | None = None
    pinned: bool = False
    day: date | None = None
    at: datetime | None = None
    subject_id: UUID | None = None
    name: str | None = None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("count", True),
        ("count", "5"),
        ("count", 2.5),
        ("ratio", "0.5"),
        ("pinned", 1),
        ("pinned", "true"),
        ("day", 0),
        ("at", 1_700_000_000),
        ("subject_id", 5),
    ],
)
def test_a_value_of_another_json_type_is_refused_at_its_field(field, value):
    with pytest.raises(ValidationError) as refused:
        Body.model_validate({field: value})
    [error] = refused.value.errors()
    assert (error["loc"], error["type"]) == ((field,), "json_type")


def test_values_of_the_documented_json_types_pass():
    body = Body.model_validate(
        {
            "count": 3.0,  # JSON Schema counts 3.0 as an integer
            "ratio": 1,
            "pinned": True,
            "day": "2026-11-23",
            "at": "2026-11-23T18:00:00Z",
            "subject_id": UUID_TEXT,
            "name": "5",
        }
    )
    assert (body.count, body.day, body.subject_id) == (3, date(2026, 11, 23), UUID(UUID_TEXT))
    assert Body.model_validate({"day": None, "subject_id": None}).day is None


def test_code_may_build_a_body_from_objects():
    built = Body(day=date(2026, 11, 23), subject_id=UUID(UUID_TEXT), at=datetime(2026, 1, 1))
    assert built.day == date(2026, 11, 23)
