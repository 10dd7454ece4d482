"""Keyset pages: one row more than the limit is asked for, the cursor names the page's last row,
and a cursor this API did not hand out is a 422."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from schediora_runtime.pagination import InvalidCursor, Position, decode_cursor, page

START = datetime(2026, 11, 23, tzinfo=UTC)
ROWS = [Position(START + timedelta(minutes=i), uuid.uuid4()) for i in range(5)]


async def fetch(after: Position | None, n: int) -> list[Position]:
    """The rows in (key, id) order after `after`, at most `n`: what a keyset query returns."""
    return [row for row in ROWS if after is None or (row.key, row.id) > (after.key, after.id)][:n]


async def test_pages_walk_every_row_once_in_order_and_end_without_a_cursor():
    seen, cursor, pages = [], None, 0
    while True:
        rows, cursor = await page(fetch, limit=2, cursor=cursor, position=lambda row: row)
        seen += rows
        pages += 1
        if cursor is None:
            break
        assert decode_cursor(cursor) == rows[-1]
    assert (seen, pages) == (ROWS, 3)


async def test_a_page_that_holds_the_rest_exactly_has_no_next_cursor():
    rows, cursor = await page(fetch, limit=5, cursor=None, position=lambda row: row)
    assert (rows, cursor) == (ROWS, None)


@pytest.mark.parametrize("cursor", ["", "not-a-cursor", "W10", "WyJ4IiwgInkiXQ"])
async def test_a_cursor_this_api_did_not_hand_out_is_refused(cursor):
    with pytest.raises(InvalidCursor):
        await page(fetch, limit=2, cursor=cursor, position=lambda row: row)
