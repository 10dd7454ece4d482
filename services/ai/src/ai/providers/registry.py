"""The provider the settings name."""

from ai.providers import Provider
from ai.providers.local import LocalProvider
from ai.settings import Settings


def provider_from(settings: Settings) -> Provider:
    if settings.ai_provider == "local":
        return LocalProvider()
    raise ValueError(f"unknown AI_PROVIDER {settings.ai_provider!r}")
