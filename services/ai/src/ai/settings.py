"""The ai service's settings, read from the environment."""

from typing import Literal

from pydantic import Field, PostgresDsn

from schediora_runtime.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "ai"
    port: int = Field(default=8003, ge=1, le=65535)
    database_url: PostgresDsn = PostgresDsn(
        "postgresql+psycopg://schediora_ai@127.0.0.1:5432/schediora"
    )
    database_schema: str = "ai"
    ai_provider: Literal["local"] = Field(
        default="local", description="Who makes plans: `local` (the CP-SAT solver)."
    )
