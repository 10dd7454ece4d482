"""The gateway's settings, read from the environment."""

import json
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import NoDecode

from schediora_runtime.settings import BaseServiceSettings

# Scheme, host and port only: the gateway forwards the client's path unchanged.
_BASE_URL = r"^https?://[^/?#]+$"


class Settings(BaseServiceSettings):
    service_name: str = "gateway"
    port: int = Field(default=8000, ge=1, le=65535)

    auth_url: str = Field(default="http://127.0.0.1:8001", pattern=_BASE_URL)
    planner_url: str = Field(default="http://127.0.0.1:8002", pattern=_BASE_URL)
    ai_url: str = Field(default="http://127.0.0.1:8003", pattern=_BASE_URL)

    # NoDecode: the environment gives `https://a.example,https://b.example`, not a JSON list.
    cors_allow_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    upstream_timeout_seconds: float = Field(default=10.0, gt=0)
    upstream_connect_timeout_seconds: float = Field(default=2.0, gt=0)
    max_body_bytes: int = Field(default=65_536, ge=0)
    upstream_pool_size: int = Field(default=100, ge=1)
    upstream_stream_limit: int = Field(
        default=10_000,
        ge=1,
        description="Event streams (requests accepting text/event-stream) open to the upstreams "
        "at once; they have a pool of their own, apart from upstream_pool_size.",
    )

    @field_validator("auth_url", "planner_url", "ai_url", mode="before")
    @classmethod
    def _drop_trailing_slash(cls, value: object) -> object:
        # `http://auth:8001/` is a common way to write a base URL; the pattern wants it bare.
        return value.rstrip("/") if isinstance(value, str) else value

    @field_validator("cors_allow_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        if value.lstrip().startswith("["):
            return json.loads(value)
        return [origin.strip() for origin in value.split(",") if origin.strip()]

    @property
    def upstreams(self) -> dict[str, str]:
        """Each upstream service's name and base URL, in the order health and docs list them."""
        return {"auth": self.auth_url, "planner": self.planner_url, "ai": self.ai_url}
