"""Alembic environment of the planner service: schema "planner" only, version table inside it."""

from planner.db import metadata
from planner.models import load_models
from planner.settings import Settings
from schediora_runtime.migrations import run_migrations

load_models()
# docs/api.md: `dashboard_daily_metrics` is a legacy table the migrations keep; nothing reads it.
run_migrations(metadata, Settings(), unmapped_tables=frozenset({"dashboard_daily_metrics"}))
