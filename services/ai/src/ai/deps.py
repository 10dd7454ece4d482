"""Annotated dependencies for the ai endpoints (the request clock is the runtime's one)."""

from schediora_runtime.deps import Now, SessionDep
from schediora_runtime.security import CurrentUser

__all__ = ["CurrentUser", "Now", "SessionDep"]
