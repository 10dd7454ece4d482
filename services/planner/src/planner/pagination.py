"""Keyset pagination: an opaque cursor naming the row a page ended on (API.md: Lists)."""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from planner.errors import InvalidCursor

DEFAULT_LIMIT = 50
MAX_LIMIT = 100


@dataclass(frozen=True)
class Position:
    """Where a page ended in `(created_at, id)` order."""

    created_at: datetime
    id: UUID


def encode_cursor(position: Position) -> str:
    raw = json.dumps([position.created_at.isoformat(), str(position.id)]).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str) -> Position:
    """The position a cursor names; `InvalidCursor` for anything this API did not hand out."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created_at, id_ = json.loads(raw)
        position = Position(datetime.fromisoformat(created_at), UUID(id_))
    except (binascii.Error, ValueError, TypeError, AttributeError):
        raise InvalidCursor() from None
    if position.created_at.tzinfo is None:
        raise InvalidCursor()
    return position
