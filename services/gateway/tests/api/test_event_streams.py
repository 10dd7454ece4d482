"""An event stream (Server-Sent Events) through the gateway over real sockets: each event
reaches the client when the upstream writes it, the stream outlives the total timeout of an
ordinary answer, and the upstream connection closes when the client goes away."""

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from gateway.main import create_app
from schediora_testkit import testing

EVENTS = "/api/v1/ai/jobs/00000000-0000-0000-0000-000000000001/events"
TOTAL_TIMEOUT = 0.3
GUARD_SECONDS = 30  # only against a hung test


@pytest.fixture
async def base_url(settings_for) -> AsyncIterator[str]:
    app = create_app(settings_for(upstream_timeout_seconds=TOTAL_TIMEOUT))
    async with testing.serving(app, lifespan="on") as url:
        yield url


async def next_event(lines: AsyncIterator[str]) -> str | None:
    """The next event's data, or None at the end of the stream."""
    async with asyncio.timeout(GUARD_SECONDS):
        async for line in lines:
            if line.startswith("data: "):
                return line.removeprefix("data: ")
    return None


async def test_each_event_arrives_when_written_and_the_stream_outlives_the_total_timeout(
    base_url, upstreams
):
    planner = upstreams["planner"]
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=GUARD_SECONDS) as client,
        client.stream("GET", EVENTS, headers={"Accept": "text/event-stream"}) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["x-accel-buffering"] == "no"
        assert "content-encoding" not in response.headers
        lines = response.aiter_lines()
        # The upstream has written one event and waits: it arrives unbuffered.
        assert await next_event(lines) == "1"
        # Longer than an ordinary answer may take in total: the stream stays open.
        await asyncio.sleep(TOTAL_TIMEOUT * 3)
        planner.next_event.set()
        assert await next_event(lines) == "2"
        planner.next_event.set()
        assert await next_event(lines) == "3"
        assert await next_event(lines) is None


async def test_the_upstream_stream_is_closed_when_the_client_goes_away(base_url, upstreams):
    planner = upstreams["planner"]
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=GUARD_SECONDS) as client,
        client.stream("GET", EVENTS) as response,
    ):
        assert await next_event(response.aiter_lines()) == "1"
        assert not planner.stream_closed.is_set()
    # The client left while the upstream was silent: the gateway drops its upstream connection.

    async def closed() -> bool:
        return planner.stream_closed.is_set()

    await testing.eventually(closed)


async def test_an_ordinary_answer_is_still_bounded_by_the_total_timeout(base_url):
    async with httpx.AsyncClient(base_url=base_url, timeout=GUARD_SECONDS) as client:
        response = await client.get("/api/v1/plans/slow")
    assert response.status_code == 504
    assert response.json()["code"] == "gateway_timeout"


async def test_open_event_streams_do_not_take_the_pool_of_ordinary_requests(
    settings_for, upstreams
):
    # One pooled connection for ordinary requests; two streams stay open meanwhile.
    app = create_app(settings_for(upstream_pool_size=1))
    accept = {"Accept": "text/event-stream"}
    async with (
        testing.serving(app, lifespan="on") as url,
        httpx.AsyncClient(base_url=url, timeout=GUARD_SECONDS) as client,
        client.stream("GET", EVENTS, headers=accept) as one,
        client.stream("GET", EVENTS, headers=accept) as two,
    ):
        assert await next_event(one.aiter_lines()) == "1"
        assert await next_event(two.aiter_lines()) == "1"
        answer = await client.get("/api/v1/plans/current")
        assert answer.status_code == 200
