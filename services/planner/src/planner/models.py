"""Every mapped table of the planner service, loaded so metadata (and Alembic) sees them all."""


def load_models() -> None:
    """Import each aggregate's models module for its side effect of registering tables."""
    from planner.calendar import models as calendar  # noqa: F401
    from planner.generation import models as generation  # noqa: F401
    from planner.plans import models as plans  # noqa: F401
    from planner.subjects import models as subjects  # noqa: F401
    from planner.users import models as users  # noqa: F401
