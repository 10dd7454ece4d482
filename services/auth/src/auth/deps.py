"""Annotated dependencies for the auth endpoints."""

from schediora_runtime.deps import SessionDep

__all__ = ["SessionDep"]
