"""Argon2id parameters (auth README: Passwords) and library guardrails."""

from importlib.metadata import version

import pytest
from argon2 import profiles
from pydantic import ValidationError

from auth.settings import OWASP_ARGON2ID_MINIMUMS, Settings, meets_owasp_minimum


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version(name).split(".")[:2])


def test_default_parameters_are_64_mib_and_2_passes_above_every_owasp_row():
    settings = Settings()
    memory, passes = settings.password_memory_kib, settings.password_time_cost
    assert (memory, passes, settings.password_parallelism) == (65_536, 2, 1)
    assert all(memory >= m and passes >= t for m, t in OWASP_ARGON2ID_MINIMUMS if t <= 2)
    assert meets_owasp_minimum(memory, passes)


@pytest.mark.parametrize(
    ("memory_kib", "time_cost", "strong"),
    [
        (19_456, 2, True),
        (47_104, 1, True),
        (12_288, 3, True),
        (9_216, 4, True),
        (7_168, 5, True),
        (65_536, 3, True),
        (19_455, 2, False),
        (19_456, 1, False),
        (8, 1, False),  # CHEAPEST
    ],
)
def test_owasp_minimum_rows(memory_kib, time_cost, strong):
    assert meets_owasp_minimum(memory_kib, time_cost) is strong


def test_production_refuses_the_cheapest_profile():
    with pytest.raises(ValidationError, match="OWASP"):
        Settings(
            environment="production",
            password_time_cost=profiles.CHEAPEST.time_cost,
            password_memory_kib=profiles.CHEAPEST.memory_cost,
        )


def test_access_tokens_live_at_most_15_minutes():
    assert Settings.model_fields["access_token_ttl_seconds"].default == 900
    with pytest.raises(ValidationError):
        Settings(access_token_ttl_seconds=901)


def test_security_libraries_are_recent_enough():
    assert _version("argon2-cffi") >= (21, 2)
    assert _version("pyjwt") >= (2, 13)
