"""The ai service's settings, read from the environment."""

from typing import Any, Literal

from pydantic import Field, PostgresDsn, SecretStr, field_validator, model_validator

from schediora_runtime.settings import ServiceSettings

LLM_BUDGET_LIMIT_SECONDS = 300.0
"""The most one generation may spend waiting on the LLM: `OPENAI_TIMEOUT_SECONDS` x
`OPENAI_MAX_ATTEMPTS` must stay under it. The consumer holds the PlanRequested message unacked
(though no transaction) while it generates, and RabbitMQ closes the channel of a consumer that holds
a message past its `consumer_timeout` (30 min by default), redelivering everything it held; five
minutes keeps a wide margin below that. The planner's `GENERATION_DEADLINE_SECONDS` (120 s by
default) should exceed the budget too, or a slow LLM's plan arrives after the job was failed."""


class Settings(ServiceSettings):
    service_name: str = "ai"
    port: int = Field(default=8003, ge=1, le=65535)
    database_url: PostgresDsn = PostgresDsn(
        "postgresql+psycopg://schediora_ai@127.0.0.1:5432/schediora"
    )
    database_schema: str = "ai"
    ai_provider: Literal["local", "openai"] = Field(
        default="local",
        description="Who makes plans: `local` (the CP-SAT solver) or `openai` (an "
        "OpenAI-compatible endpoint, with the local solver as its fallback).",
    )
    ai_max_concurrent_generations: int = Field(
        default=20,
        ge=1,
        le=1000,
        description="Generations made at once by one ai process, whatever the database pool "
        "(no connection is held while a plan is made). LLM calls mostly wait, so many fit; "
        "local solves beyond the cores wait in the solver's process pool. The consumer's "
        "prefetch is raised to at least this.",
    )
    openai_base_url: str | None = Field(
        default=None,
        pattern=r"^https?://",
        description="The OpenAI-compatible API, e.g. `https://api.openai.com/v1`; required "
        "when AI_PROVIDER=openai.",
    )
    openai_api_key: SecretStr | None = Field(
        default=None, description="Bearer key for the endpoint; a local server may need none."
    )
    openai_model: str | None = Field(
        default=None, description="The model to ask; required when AI_PROVIDER=openai."
    )
    openai_timeout_seconds: float = Field(
        default=30.0, gt=0, description="The whole of one LLM call, connection to last byte."
    )
    openai_max_attempts: int = Field(
        default=3, ge=1, le=10, description="LLM calls per generation before the local solver."
    )
    openai_max_tokens: int = Field(
        default=8192,
        ge=256,
        le=128_000,
        description="`max_tokens` sent with every LLM call: the most one answer may cost.",
    )
    openai_retry_backoff_seconds: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description="Base of the exponential backoff (full jitter) before asking again after a "
        "transient LLM error (429, 5xx, timeout, connection) that carried no Retry-After.",
    )
    openai_retry_backoff_max_seconds: float = Field(
        default=20.0,
        gt=0,
        le=300,
        description="The longest one backoff wait; Retry-After is honoured as given, but never "
        "past the generation's LLM budget (then the local solver takes over at once).",
    )
    ai_daily_token_budget: int = Field(
        default=200_000,
        ge=0,
        description="LLM tokens (prompt + completion) one user may spend per UTC day; past it, "
        "generations use the local solver (fallback reason `budget_exhausted`).",
    )

    @field_validator("openai_base_url", "openai_api_key", "openai_model", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # docker-compose passes `${OPENAI_MODEL:-}` as an empty string when it is not set.
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="before")
    @classmethod
    def _prefetch_covers_the_generations(cls, values: Any) -> Any:
        # Fewer messages in hand than generation slots would leave slots idle: the consumer's
        # prefetch is CONSUMER_PREFETCH or AI_MAX_CONCURRENT_GENERATIONS, whichever is more.
        if not isinstance(values, dict):
            return values
        fields = cls.model_fields
        prefetch = values.get("consumer_prefetch", fields["consumer_prefetch"].default)
        slots = values.get(
            "ai_max_concurrent_generations", fields["ai_max_concurrent_generations"].default
        )
        try:
            return values | {"consumer_prefetch": max(int(prefetch), int(slots))}
        except (TypeError, ValueError):
            return values  # not a number: the fields' own validation says so

    @model_validator(mode="after")
    def _openai_is_usable(self) -> "Settings":
        if self.ai_provider == "openai":
            missing = [
                variable
                for variable, value in (
                    ("OPENAI_BASE_URL", self.openai_base_url),
                    ("OPENAI_MODEL", self.openai_model),
                )
                if value is None
            ]
            if missing:
                raise ValueError(f"AI_PROVIDER=openai needs {' and '.join(missing)} to be set")
        if self.llm_budget_seconds >= LLM_BUDGET_LIMIT_SECONDS:
            raise ValueError(
                f"OPENAI_TIMEOUT_SECONDS x OPENAI_MAX_ATTEMPTS is {self.llm_budget_seconds:g} s; "
                f"it must stay under {LLM_BUDGET_LIMIT_SECONDS:g} s, well within the broker's "
                "consumer ack timeout (the message is held while the plan is generated)"
            )
        return self

    @property
    def llm_budget_seconds(self) -> float:
        """The longest one generation can wait on the LLM before the local solver takes over."""
        return self.openai_timeout_seconds * self.openai_max_attempts
