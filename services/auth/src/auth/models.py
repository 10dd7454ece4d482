"""Every mapped table of the auth service, loaded so metadata (and Alembic) sees them all."""


def load_models() -> None:
    """Import each aggregate's models module; the auth service has only messaging tables yet."""
