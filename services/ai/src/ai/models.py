"""Every mapped table of the ai service, loaded so metadata (and Alembic) sees them all."""


def load_models() -> None:
    """Import each aggregate's models module for its side effect of registering tables."""
    from ai.feedback import models as feedback  # noqa: F401
    from ai.generations import models as generations  # noqa: F401
    from ai.usage import models as usage  # noqa: F401
