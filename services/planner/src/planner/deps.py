"""Annotated dependencies for the planner endpoints."""

from schediora_runtime.deps import SessionDep
from schediora_runtime.security import CurrentUser

__all__ = ["CurrentUser", "SessionDep"]
