"""Every mapped table of the ai service, loaded so metadata (and Alembic) sees them all."""


def load_models() -> None:
    """Import each aggregate's models module; the ai service has only messaging tables yet."""
