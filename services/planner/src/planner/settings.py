"""The planner service's settings, read from the environment."""

from pydantic import Field, PostgresDsn

from schediora_runtime.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "planner"
    port: int = Field(default=8002, ge=1, le=65535)
    database_url: PostgresDsn = PostgresDsn(
        "postgresql+psycopg://schediora_planner@127.0.0.1:5432/schediora"
    )
    database_schema: str = "planner"

    generation_deadline_seconds: float = Field(
        default=120, gt=0, description="A job with no outcome after this is failed."
    )
    generation_requests_per_window: int = Field(
        default=10,
        ge=1,
        description="Plan requests (generate and reschedule together) one user may make per "
        "window; more are 429 too_many_requests with Retry-After. Counted in PostgreSQL, so "
        "across every replica.",
    )
    generation_request_window_seconds: float = Field(
        default=3600, gt=0, description="The sliding window of GENERATION_REQUESTS_PER_WINDOW."
    )
    job_sweep_interval_seconds: float = Field(
        default=5, gt=0, description="How often overdue jobs are looked for."
    )
    job_events_keepalive_seconds: float = Field(
        default=15,
        gt=0,
        description="How often a job's event stream sends a `: keep-alive` comment while it "
        "waits, so proxies and clients keep an idle stream open.",
    )
    app_base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The public address of the API (the gateway as clients reach it): a "
        "calendar feed's URL is <APP_BASE_URL>/api/v1/calendar/feed/<token>.ics.",
    )
