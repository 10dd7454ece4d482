"""Preferences validation (docs/api.md: Users) without the app."""

import pytest
from pydantic import ValidationError

from auth.users.schemas import Preferences

from ..factories import preferences


def _errors(**overrides) -> str:
    with pytest.raises(ValidationError) as raised:
        Preferences.model_validate(preferences(**overrides))
    return str(raised.value)


def _window(weekday, start, end):
    return {"weekday": weekday, "start": start, "end": end}


def test_a_full_valid_document_is_accepted():
    assert Preferences.model_validate(preferences()).timezone == "Europe/Berlin"


@pytest.mark.parametrize("name", ["UTC", "America/Argentina/Buenos_Aires", "Pacific/Kiritimati"])
def test_iana_time_zones_are_accepted(name):
    assert Preferences.model_validate(preferences(timezone=name)).timezone == name


@pytest.mark.parametrize(
    "name", ["Mars/Olympus", "", "europe/berlin", "../../etc/passwd", "/etc/localtime", "+02:00"]
)
def test_anything_but_an_iana_name_is_refused(name):
    assert "timezone" in _errors(timezone=name)


@pytest.mark.parametrize(
    ("field", "low", "high"),
    [("daily_goal_minutes", 15, 720), ("session_minutes", 15, 240), ("break_minutes", 0, 60)],
)
def test_minute_fields_have_inclusive_bounds(field, low, high):
    Preferences.model_validate(preferences(**{field: low}))
    Preferences.model_validate(preferences(**{field: high}))
    assert field in _errors(**{field: low - 1})
    assert field in _errors(**{field: high + 1})


def test_windows_that_only_touch_are_not_an_overlap_and_24_00_ends_a_day():
    document = preferences(
        availability=[_window(1, "08:00", "12:00"), _window(1, "12:00", "24:00")]
    )
    assert len(Preferences.model_validate(document).availability) == 2


def test_the_same_hours_on_different_days_do_not_overlap():
    Preferences.model_validate(
        preferences(availability=[_window(d, "18:00", "21:00") for d in range(7)])
    )


@pytest.mark.parametrize(
    "windows",
    [
        [_window(3, "18:00", "21:00"), _window(3, "20:59", "22:00")],
        [_window(3, "10:00", "20:00"), _window(3, "11:00", "12:00")],
        [_window(3, "18:00", "21:00"), _window(3, "18:00", "21:00")],
    ],
)
def test_overlapping_windows_on_one_weekday_are_refused(windows):
    assert "overlap" in _errors(availability=windows)


@pytest.mark.parametrize(
    "window",
    [
        _window(0, "21:00", "18:00"),
        _window(0, "18:00", "18:00"),
        _window(7, "18:00", "19:00"),
        _window(-1, "18:00", "19:00"),
        _window(0, "24:00", "24:00"),
        _window(0, "18:00", "24:30"),
        _window(0, "18:0", "19:00"),
        _window(0, "6pm", "19:00"),
    ],
)
def test_malformed_windows_are_refused(window):
    assert "availability" in _errors(availability=[window])


def test_between_1_and_28_windows():
    assert "availability" in _errors(availability=[])
    many = [_window(d % 7, f"{h:02d}:00", f"{h:02d}:30") for d in range(7) for h in range(5)]
    assert "availability" in _errors(availability=many[:29])
    Preferences.model_validate(preferences(availability=many[:28]))


@pytest.mark.parametrize(
    ("field", "value"),
    [("week_starts_on", "saturday"), ("preferred_time_of_day", "night")],
)
def test_enumerations_are_closed(field, value):
    assert field in _errors(**{field: value})


def test_unknown_fields_are_refused():
    with pytest.raises(ValidationError, match="extra"):
        Preferences.model_validate(preferences(theme="dark"))
    with pytest.raises(ValidationError, match="extra"):
        Preferences.model_validate(
            preferences(availability=[{"weekday": 0, "start": "08:00", "end": "09:00", "x": 1}])
        )
