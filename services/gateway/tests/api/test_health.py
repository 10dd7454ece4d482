"""The gateway is live on its own, and ready only when every upstream is."""

import pytest


@pytest.mark.parametrize("path", ["/api/v1/health/live", "/health/live"])
async def test_the_gateway_is_live_without_asking_upstreams(gateway, upstreams, path):
    for server in upstreams.values():
        await server.stop()

    response = await gateway.get(path)

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "service": "gateway"}


@pytest.mark.parametrize("path", ["/api/v1/health/ready", "/health/ready"])
async def test_ready_when_every_upstream_is_ready(gateway, path):
    response = await gateway.get(path)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["services"]) == {"auth", "planner", "ai"}
    for state in body["services"].values():
        assert state == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


@pytest.mark.parametrize("path", ["/api/v1/health/ready", "/health/ready"])
async def test_not_ready_naming_a_stopped_upstream(gateway, upstreams, path):
    await upstreams["planner"].stop()

    response = await gateway.get(path)

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["services"]["planner"] == {"status": "down", "error": "connection refused"}
    assert body["services"]["auth"]["status"] == "ok"
    assert body["services"]["ai"]["status"] == "ok"


async def test_not_ready_when_an_upstream_reports_itself_unavailable(gateway, upstreams):
    upstreams["ai"].ready_status = 503

    response = await gateway.get("/api/v1/health/ready")

    assert response.status_code == 503
    assert response.json()["services"]["ai"] == {
        "status": "unavailable",
        "checks": {"database": "down", "broker": "ok"},
    }
