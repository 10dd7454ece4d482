"""The settings every service shares; each service subclasses `ServiceSettings` once."""

from typing import Literal

from pydantic import Field, PostgresDsn, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MINIMUM_RETENTION_DAYS = 7
"""Sent outbox rows and processed event ids are kept a week at least, as NServiceBus keeps its
deduplication data."""

Environment = Literal["development", "test", "production"]


class BaseServiceSettings(BaseSettings):
    """Read from the environment (and `.env`); a test passes its own instance instead."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    service_name: str
    environment: Environment = "development"
    host: str = "127.0.0.1"
    port: int = Field(ge=1, le=65535)
    log_level: str = "INFO"
    log_json: bool = True
    web_concurrency: int = Field(
        default=1,
        ge=1,
        description="Worker processes (WEB_CONCURRENCY); one per core the service may use.",
    )


class ServiceSettings(BaseServiceSettings):
    """A service with its own PostgreSQL schema and a RabbitMQ connection."""

    database_url: PostgresDsn
    database_schema: str = Field(pattern=r"^[a-z_]+$")
    # Per worker process (README: Performance). Transactions (writes) use the SQLAlchemy pool;
    # reads that need no transaction the autocommit read pool. No overflow by default: an
    # overflow connection is opened for a burst and closed again right after, and connecting
    # costs PostgreSQL a process each time; requests past the pool wait for a connection (up to
    # 10 s), which on two cores is faster than more connections contending for them.
    database_pool_size: int = Field(default=10, ge=1)
    database_max_overflow: int = Field(default=0, ge=0)
    database_read_pool_size: int = Field(default=8, ge=1)
    database_statement_timeout_ms: int = Field(default=15_000, ge=0)

    rabbitmq_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    events_exchange: str = "schediora.events"
    queue_name: str | None = Field(
        default=None, description="This service's queue; defaults to `<service_name>.events`."
    )
    consumer_prefetch: int = Field(default=10, ge=1, le=1000)
    delivery_limit: int = Field(default=5, ge=1)
    outbox_batch_size: int = Field(default=100, ge=1, le=1000)
    outbox_poll_interval_seconds: float = Field(default=1.0, gt=0)
    retention_days: int = Field(
        default=MINIMUM_RETENTION_DAYS,
        ge=MINIMUM_RETENTION_DAYS,
        description="How long sent outbox rows and processed event ids are kept (a week at "
        "least; processed event ids also as long as an older event waits in the DLQ).",
    )

    # Access-token verification (every service with user endpoints): auth signs, others verify.
    jwt_issuer: str = "schediora-auth"
    jwt_audience: str = "schediora-api"
    auth_jwks_url: str = Field(
        default="http://127.0.0.1:8001/api/v1/auth/jwks.json",
        description="Where auth publishes its public signing keys.",
    )
    jwks_timeout_seconds: float = Field(default=2.0, gt=0)
    jwks_cache_seconds: float = Field(default=300.0, ge=0)
    jwks_refresh_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How often the JWKS is refetched whatever the cache says: the bound on a "
        "withdrawn key for a process that missed auth's rotation event. Keep it well below the "
        "key overlap (the time between `rotate` and `withdraw`, at least the access-token TTL).",
    )
    revocation_refresh_seconds: float = Field(
        default=1.0,
        gt=0,
        le=10,
        description="How often the revocation list is reloaded from the table (other replicas' "
        "revocations reach this one within it).",
    )

    @field_validator("database_url", mode="before")
    @classmethod
    def _use_psycopg_driver(cls, value: object) -> object:
        # Accept the plain `postgresql://` URLs of README.md and libpq tools; SQLAlchemy needs
        # the driver named to pick psycopg 3 rather than psycopg2.
        if isinstance(value, str) and value.startswith(("postgresql://", "postgres://")):
            return "postgresql+psycopg://" + value.split("://", 1)[1]
        return value

    @property
    def sqlalchemy_url(self) -> str:
        return str(self.database_url)

    @property
    def service_queue(self) -> str:
        return self.queue_name or f"{self.service_name}.events"
