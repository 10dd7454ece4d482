"""Alembic environment of the ai service: schema "ai" only, version table inside it."""

from ai.db import metadata
from ai.models import load_models
from ai.settings import Settings
from schediora_runtime.migrations import run_migrations

load_models()
run_migrations(metadata, Settings())
