"""Small request factories for the subjects API tests."""

from typing import Any

import httpx

SUBJECTS = "/api/v1/subjects"


async def create_subject(client: httpx.AsyncClient, user: Any, name: str, **fields: Any) -> dict:
    response = await client.post(SUBJECTS, json={"name": name, **fields}, headers=user.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def list_all(client: httpx.AsyncClient, user: Any, limit: int = 100) -> list[dict]:
    """Every subject of the user, following cursors to the end."""
    items, cursor = [], None
    while True:
        params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        response = await client.get(SUBJECTS, params=params, headers=user.headers)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
