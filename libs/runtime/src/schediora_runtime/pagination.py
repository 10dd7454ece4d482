"""Keyset pagination: an opaque cursor naming the row a page ended on (docs/api.md: Conventions)."""

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, TypeVar
from uuid import UUID

from fastapi import Query

from schediora_runtime.problems import ProblemError

_Row = TypeVar("_Row")


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

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
"""`?limit=` of a listing (items per page); give it `= DEFAULT_LIMIT`."""
Cursor = Annotated[str | None, Query(max_length=256)]
"""`?cursor=` of a listing (the previous page's `next_cursor`); give it `= None`."""


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


async def page(
    fetch: Callable[[Position | None, int], Awaitable[Sequence[_Row]]],
    *,
    limit: int,
    cursor: str | None,
    position: Callable[[_Row], Position],
) -> tuple[Sequence[_Row], str | None]:
    """One page of a keyset listing and the cursor of the next one (`None` at the end).

    `fetch(after, n)` returns up to `n` rows in the listing's order after `after` (from the
    start when `None`); one row more than `limit` is asked for, to know whether a page follows.
    `position(row)` is the row's sort key and id, as the query's `after` compares them.
    """
    after = decode_cursor(cursor) if cursor is not None else None
    rows = await fetch(after, limit + 1)
    if len(rows) <= limit:
        return rows, None
    return rows[:limit], encode_cursor(position(rows[limit - 1]))
