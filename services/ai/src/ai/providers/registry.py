"""The provider the settings name."""

from ai.providers import Provider
from ai.providers.llm import OpenAIProvider
from ai.providers.local import LocalProvider
from ai.settings import Settings


def provider_from(settings: Settings) -> Provider:
    if settings.ai_provider == "local":
        return LocalProvider()
    if settings.ai_provider == "openai":
        # Settings refuse AI_PROVIDER=openai without a base URL and a model.
        assert settings.openai_base_url is not None
        assert settings.openai_model is not None
        key = settings.openai_api_key
        return OpenAIProvider(
            base_url=settings.openai_base_url,
            model=settings.openai_model,
            api_key=key.get_secret_value() if key else None,
            timeout_seconds=settings.openai_timeout_seconds,
            max_attempts=settings.openai_max_attempts,
            max_tokens=settings.openai_max_tokens,
            backoff_seconds=settings.openai_retry_backoff_seconds,
            backoff_max_seconds=settings.openai_retry_backoff_max_seconds,
        )
    raise ValueError(f"unknown AI_PROVIDER {settings.ai_provider!r}")
