"""Annotated dependencies for the ai endpoints."""

from schediora_runtime.deps import SessionDep

__all__ = ["SessionDep"]
