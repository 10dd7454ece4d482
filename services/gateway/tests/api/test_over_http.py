"""The gateway behind a real uvicorn server (httptools, as `serve` runs it), over real sockets."""

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from gateway.main import create_app
from schediora_testkit import testing

BIG = 200 * 1024


@pytest.fixture
async def base_url(settings_for) -> AsyncIterator[str]:
    async with testing.serving(create_app(settings_for()), lifespan="on") as url:
        yield url


async def _chunks(total: int, size: int = 16384):
    for start in range(0, total, size):
        yield b"x" * min(size, total - start)


async def test_a_request_over_http_reaches_its_service(base_url, header_dict):
    async with httpx.AsyncClient(base_url=base_url) as client:
        response = await client.get("/api/v1/plans/current?x=1", headers={"X-Request-ID": "r-1"})

    assert response.status_code == 200
    answer = response.json()
    assert (answer["service"], answer["path_qs"]) == ("planner", "/api/v1/plans/current?x=1")
    seen = header_dict(answer)
    assert seen["x-forwarded-for"] == "127.0.0.1"
    assert seen["x-request-id"] == "r-1"
    assert response.headers.get_list("x-request-id") == ["r-1"]
    assert len(response.headers.get_list("date")) == 1
    assert len(response.headers.get_list("server")) == 1


async def test_keep_alive_connections_serve_many_concurrent_requests(settings_for, upstreams):
    # What is tested is that 100 requests at once all get their own answer over the pooled
    # connections, not how fast: the usual 1 s upstream limit is too short for that burst on a
    # loaded 2-core machine, where it failed with 504s.
    app = create_app(settings_for(upstream_timeout_seconds=30.0))
    async with (
        testing.serving(app, lifespan="on") as url,
        httpx.AsyncClient(base_url=url, timeout=60) as client,
    ):
        responses = await asyncio.gather(
            *(client.get(f"/api/v1/feedback?n={n}") for n in range(100))
        )

    assert all(r.status_code == 200 for r in responses)
    assert sorted(r.json()["path_qs"] for r in responses) == sorted(
        f"/api/v1/feedback?n={n}" for n in range(100)
    )


async def test_a_head_request_gets_the_headers_without_a_body(base_url):
    async with httpx.AsyncClient(base_url=base_url) as client:
        response = await client.head("/api/v1/subjects")

    assert response.status_code == 200
    assert int(response.headers["content-length"]) > 0
    assert response.content == b""


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_a_200_kib_body_over_http_is_a_413(base_url, upstreams, chunked):
    content = _chunks(BIG) if chunked else b"x" * BIG
    async with httpx.AsyncClient(base_url=base_url) as client:
        response = await client.post("/api/v1/subjects", content=content)

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "payload_too_large"
    assert upstreams["planner"].seen == []
