"""Alembic environment of the auth service: schema "auth" only, version table inside it."""

from schediora_runtime.migrations import run_migrations

from auth.db import metadata
from auth.models import load_models
from auth.settings import Settings

load_models()
run_migrations(metadata, Settings())
