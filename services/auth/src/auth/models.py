"""Every mapped table of the auth service, loaded so metadata (and Alembic) sees them all."""


def load_models() -> None:
    """Import each aggregate's models module for its side effect of registering tables."""
    from auth.mail import models as mail  # noqa: F401
    from auth.sessions import models as sessions  # noqa: F401
    from auth.signing import models as signing  # noqa: F401
    from auth.throttling import models as throttling  # noqa: F401
    from auth.users import models as users  # noqa: F401
