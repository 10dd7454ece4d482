"""Annotated dependencies for the planner endpoints."""

from schediora_runtime.deps import SessionDep

__all__ = ["SessionDep"]
