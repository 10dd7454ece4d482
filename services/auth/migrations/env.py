"""Alembic environment of the auth service: schema "auth" only, version table inside it."""

from auth.db import metadata
from auth.models import load_models
from auth.settings import Settings
from schediora_runtime.migrations import run_migrations

load_models()
run_migrations(metadata, Settings())
