"""`AI_MAX_CONCURRENT_GENERATIONS` is a setting of its own, and the consumer's prefetch is never
below it (a slot without a message in hand would sit idle)."""

import pytest
from pydantic import ValidationError

from ai.settings import Settings


def test_the_prefetch_is_raised_to_the_generations_at_once():
    settings = Settings(ai_max_concurrent_generations=50)
    assert (settings.ai_max_concurrent_generations, settings.consumer_prefetch) == (50, 50)


def test_a_larger_prefetch_is_kept():
    settings = Settings(ai_max_concurrent_generations=4, consumer_prefetch=30)
    assert (settings.ai_max_concurrent_generations, settings.consumer_prefetch) == (4, 30)


def test_a_smaller_prefetch_is_raised_too(monkeypatch):
    monkeypatch.setenv("CONSUMER_PREFETCH", "5")
    monkeypatch.setenv("AI_MAX_CONCURRENT_GENERATIONS", "12")
    assert Settings().consumer_prefetch == 12


def test_the_default_is_independent_of_the_database_pool():
    settings = Settings()
    assert settings.ai_max_concurrent_generations == 20 > settings.database_pool_size


@pytest.mark.parametrize("value", ["0", "-1", "many"])
def test_a_number_of_generations_below_one_is_refused(monkeypatch, value):
    monkeypatch.setenv("AI_MAX_CONCURRENT_GENERATIONS", value)
    with pytest.raises(ValidationError):
        Settings()
