"""Alembic environment of the planner service: schema "planner" only, version table inside it."""

from schediora_runtime.migrations import run_migrations

from planner.db import metadata
from planner.models import load_models
from planner.settings import Settings

load_models()
run_migrations(metadata, Settings())
