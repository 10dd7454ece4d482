"""Oversized bodies, slow upstreams and stopped upstreams are answered as problem+json."""

import asyncio

import pytest

PROBLEM = "application/problem+json"
BIG = 200 * 1024


async def _chunks(total: int, size: int = 8192):
    sent = 0
    while sent < total:
        yield b"x" * min(size, total - sent)
        sent += size
        await asyncio.sleep(0)


async def test_a_body_announced_over_64_kib_is_a_413_and_never_forwarded(gateway, upstreams):
    response = await gateway.post("/api/v1/subjects", content=b"x" * BIG)

    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "payload_too_large"
    assert upstreams["planner"].seen == []


async def test_a_chunked_body_over_64_kib_is_a_413_and_never_forwarded(gateway, upstreams):
    response = await gateway.post("/api/v1/feedback", content=_chunks(BIG))

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert upstreams["ai"].seen == []


async def test_a_chunked_body_at_the_limit_is_forwarded_whole(gateway, upstreams):
    response = await gateway.post("/api/v1/feedback", content=_chunks(64 * 1024))

    assert response.status_code == 201
    assert response.json()["body_length"] == 64 * 1024


async def test_the_limit_comes_from_settings(settings_for, gateway_for):
    async with gateway_for(settings_for(max_body_bytes=10)) as gateway:
        assert (await gateway.post("/api/v1/feedback", content=b"x" * 10)).status_code == 201
        assert (await gateway.post("/api/v1/feedback", content=b"x" * 11)).status_code == 413


async def test_a_slow_upstream_is_a_504_problem(settings_for, gateway_for):
    async with gateway_for(settings_for(upstream_timeout_seconds=0.3)) as gateway:
        response = await gateway.get("/api/v1/plans/slow")

    assert response.status_code == 504
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["code"] == "gateway_timeout"
    assert "planner" in body["detail"]
    assert body["request_id"] == response.headers["x-request-id"]


async def test_a_stopped_upstream_is_a_503_problem_naming_it(gateway, upstreams):
    # The first call leaves a pooled keep-alive connection to the planner behind.
    assert (await gateway.get("/api/v1/plans")).status_code == 200
    await upstreams["planner"].stop()

    response = await gateway.get("/api/v1/plans")

    assert response.status_code == 503
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["code"] == "service_unavailable"
    assert "planner" in body["detail"]
    assert body["service"] == "planner"
    # The other services are not affected.
    assert (await gateway.get("/api/v1/users/me")).status_code == 200


@pytest.mark.parametrize("method", ["POST", "PATCH"])
async def test_a_stopped_upstream_is_a_503_for_writes_too(gateway, upstreams, method):
    await upstreams["ai"].stop()

    response = await gateway.request(method, "/api/v1/feedback", json={"rating": 3})

    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"
