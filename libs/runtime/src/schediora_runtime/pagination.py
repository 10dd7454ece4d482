"""Keyset pagination: an opaque cursor naming the row a page ended on (docs/api.md: Conventions)."""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from schediora_runtime.problems import ProblemError


class InvalidCursor(ProblemError):
    """A `?cursor=` this API did not hand out: a validation error on that parameter."""

    status = 422
    code = "validation_error"

    def __init__(self) -> None:
        super().__init__(
            "The request is not valid.",
            errors=[{"loc": ["query", "cursor"], "msg": "Not a cursor this API returned."}],
        )


DEFAULT_LIMIT = 50
MAX_LIMIT = 100


@dataclass(frozen=True)
class Position:
    """Where a page ended: the sort key of its last row (e.g. `created_at`) and that row's id."""

    key: datetime
    id: UUID


def encode_cursor(position: Position) -> str:
    raw = json.dumps([position.key.isoformat(), str(position.id)]).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str) -> Position:
    """The position a cursor names; `InvalidCursor` for anything this API did not hand out."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key, id_ = json.loads(raw)
        position = Position(datetime.fromisoformat(key), UUID(id_))
    except (binascii.Error, ValueError, TypeError, AttributeError):
        raise InvalidCursor() from None
    if position.key.tzinfo is None:
        raise InvalidCursor()
    return position
