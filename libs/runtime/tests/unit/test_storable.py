"""Text PostgreSQL cannot store is refused by every request model, wherever it sits."""

import pytest
from pydantic import SecretStr, ValidationError

from schediora_contracts.common import Preferences
from schediora_runtime.problems import StrictModel
from schediora_runtime.storable import unstorable_text


class Window(StrictModel):
    start: str


class Body(StrictModel):
    name: str = "Maths"
    windows: list[Window] = []
    preferences: Preferences | None = None
    password: SecretStr | None = None
    tags: dict[str, str] = {}


def errors(data: dict) -> list[tuple[tuple, str]]:
    with pytest.raises(ValidationError) as caught:
        Body.model_validate(data)
    return [(error["loc"], error["msg"]) for error in caught.value.errors()]


@pytest.mark.parametrize(("character", "code"), [("\x00", "U+0000"), ("\ud800", "U+D800")])
def test_a_field_holding_the_character_is_named_with_the_character(character, code):
    [(loc, message)] = errors({"name": f"a{character}b"})
    assert loc == ("name",)
    assert code in message


def test_nested_models_lists_and_contract_models_are_named_to_the_leaf():
    preferences = {
        "timezone": "Europe/Berlin\x00",
        "week_starts_on": "monday",
        "daily_goal_minutes": 60,
        "session_minutes": 30,
        "break_minutes": 5,
        "availability": [],
        "preferred_time_of_day": "any",
    }
    found = errors({"windows": [{"start": "ok"}, {"start": "\udfff"}], "preferences": preferences})
    assert [loc for loc, _ in found] == [("windows", 1, "start"), ("preferences", "timezone")]


def test_secrets_and_mapping_keys_are_checked_too():
    assert [loc for loc, _ in errors({"password": "pass\x00word"})] == [("password",)]
    assert [loc for loc, _ in errors({"tags": {"a\x00": "b"}})] == [("tags", "a\x00")]


def test_every_other_character_is_kept_as_sent():
    text = "Ünïcødé 数学 \U0001f4da \ufffe\uffff \x01\x7f tab\tend"
    assert Body.model_validate({"name": text}).name == text
    assert list(unstorable_text({"name": text, "n": 1, "none": None})) == []


def test_the_walk_reports_every_offending_value_with_its_location():
    found = list(unstorable_text({"a": ["ok", "x\x00"], "b": {"c": SecretStr("\ud834")}}))
    assert [loc for loc, _ in found] == [("a", 1), ("b", "c")]
