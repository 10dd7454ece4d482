"""The `openai` settings fail at start-up when incomplete, and bound the time a generation may
wait on the LLM well under the broker's consumer ack timeout (ai README: Time bound)."""

import pytest
from pydantic import ValidationError

from ai.main import create_app
from ai.providers.llm import OpenAIProvider
from ai.providers.registry import provider_from
from ai.settings import LLM_BUDGET_LIMIT_SECONDS, Settings

RABBITMQ_CONSUMER_TIMEOUT_SECONDS = 30 * 60
"""RabbitMQ's default `consumer_timeout`: a message held unacked longer closes the channel."""

OPENAI_VARIABLES = (
    "AI_PROVIDER",
    "OPENAI_BASE_URL",
    "OPENAI_API_KEY",
    "OPENAI_MODEL",
    "OPENAI_TIMEOUT_SECONDS",
    "OPENAI_MAX_ATTEMPTS",
    "OPENAI_MAX_TOKENS",
)


@pytest.fixture
def environment(monkeypatch):
    for variable in OPENAI_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    return monkeypatch


def test_the_llm_budget_stays_well_under_the_consumer_timeout(environment):
    defaults = Settings(_env_file=None)
    assert defaults.ai_provider == "local"
    assert defaults.llm_budget_seconds == 90
    assert LLM_BUDGET_LIMIT_SECONDS * 6 <= RABBITMQ_CONSUMER_TIMEOUT_SECONDS
    assert Settings(_env_file=None, openai_timeout_seconds=59, openai_max_attempts=5)
    with pytest.raises(ValidationError, match="OPENAI_TIMEOUT_SECONDS x OPENAI_MAX_ATTEMPTS"):
        Settings(_env_file=None, openai_timeout_seconds=60, openai_max_attempts=5)
    with pytest.raises(ValidationError):
        Settings(_env_file=None, openai_timeout_seconds=0)
    with pytest.raises(ValidationError):
        Settings(_env_file=None, openai_max_attempts=0)


def test_openai_without_a_base_url_or_model_fails_at_start_up(environment):
    environment.setenv("AI_PROVIDER", "openai")
    with pytest.raises(ValidationError, match="needs OPENAI_BASE_URL and OPENAI_MODEL"):
        create_app()
    environment.setenv("OPENAI_BASE_URL", "http://127.0.0.1:8080/v1")
    with pytest.raises(ValidationError, match="needs OPENAI_MODEL to be set"):
        Settings(_env_file=None)
    environment.setenv("OPENAI_BASE_URL", "127.0.0.1:8080")
    environment.setenv("OPENAI_MODEL", "llama")
    with pytest.raises(ValidationError, match="openai_base_url"):
        Settings(_env_file=None)


def test_openai_settings_from_the_environment_make_the_openai_provider(environment):
    environment.setenv("AI_PROVIDER", "openai")
    environment.setenv("OPENAI_BASE_URL", "http://127.0.0.1:8080/v1")
    environment.setenv("OPENAI_MODEL", "llama-3.1-8b")
    environment.setenv("OPENAI_API_KEY", "sk-not-for-logs")
    environment.setenv("OPENAI_TIMEOUT_SECONDS", "20")
    environment.setenv("OPENAI_MAX_ATTEMPTS", "2")
    environment.setenv("OPENAI_MAX_TOKENS", "2000")
    settings = Settings(_env_file=None)
    assert "sk-not-for-logs" not in repr(settings)
    provider = provider_from(settings)
    assert isinstance(provider, OpenAIProvider)
    assert (provider.name, provider.model, provider.base_url) == (
        "openai",
        "llama-3.1-8b",
        "http://127.0.0.1:8080/v1",
    )
    # Every call is bounded in time and in cost (item 33): the client's timeout and the
    # `max_tokens` each request carries (test_cost_limits.py reads it off the wire).
    assert (provider.timeout_seconds, provider.max_attempts, provider.max_tokens) == (20, 2, 2000)


def test_every_llm_call_is_bounded_by_default(environment):
    defaults = Settings(_env_file=None)
    assert 0 < defaults.openai_timeout_seconds <= 60
    assert 0 < defaults.openai_max_tokens <= 8192
    assert defaults.ai_daily_token_budget > 0
    with pytest.raises(ValidationError):
        Settings(_env_file=None, openai_max_tokens=0)


def test_blank_openai_variables_count_as_unset(environment):
    # docker-compose passes `${OPENAI_MODEL:-}` through as an empty string.
    for variable in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "OPENAI_MODEL"):
        environment.setenv(variable, "")
    settings = Settings(_env_file=None)
    assert (settings.openai_base_url, settings.openai_api_key, settings.openai_model) == (
        None,
        None,
        None,
    )
