"""End to end: the gateway in front of auth, planner and ai, all as real processes."""

import time
import urllib.error
import urllib.request

import httpx
import pytest

pytestmark = pytest.mark.e2e

PREFIXES = {
    "auth": ["/api/v1/auth/login", "/api/v1/users/me"],
    "planner": [
        "/api/v1/subjects",
        "/api/v1/plans/current",
        "/api/v1/sessions",
        "/api/v1/dashboard/summary",
        "/api/v1/ai/plans/status/weekly",
        "/api/v1/ai/jobs/1",
    ],
    "ai": ["/api/v1/feedback", "/api/v1/ai/generations/1"],
}


def test_gateway_is_ready_and_names_auth_planner_and_ai_within_60_seconds(stack):
    started = time.monotonic()
    body = stack.wait_ready().json()
    assert {"auth", "planner", "ai"} <= set(body["services"])
    assert all(s["status"] == "ok" for s in body["services"].values())
    assert time.monotonic() - started < 60


def test_request_id_travels_through_the_gateway_and_back(stack):
    response = httpx.get(
        f"{stack.gateway}/api/v1/users/me", headers={"X-Request-ID": "e2e-request-1"}
    )
    assert response.headers["x-request-id"] == "e2e-request-1"
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("stopped", ["auth", "planner", "ai"])
def test_each_prefix_reaches_its_own_service(stack, stopped):
    """Stopping one service turns exactly its prefixes into 503 and names it in ready."""
    stack.wait_ready()
    service = stack.services[stopped]
    service.stop()
    try:
        for owner, paths in PREFIXES.items():
            for path in paths:
                response = httpx.get(f"{stack.gateway}{path}", timeout=10)
                assert response.headers["content-type"] == "application/problem+json"
                if owner == stopped:
                    assert response.status_code == 503, path
                    assert response.json()["code"] == "service_unavailable"
                    assert stopped in response.json()["detail"]
                else:
                    assert response.status_code != 503, path
        ready = httpx.get(f"{stack.gateway}/api/v1/health/ready", timeout=10)
        assert ready.status_code == 503
        states = {name: s["status"] for name, s in ready.json()["services"].items()}
        assert states[stopped] != "ok"
        assert all(state == "ok" for name, state in states.items() if name != stopped)
    finally:
        service.start()
        service.wait_live()
    stack.wait_ready()


def test_a_body_over_64_kib_is_refused_with_413(stack):
    response = httpx.post(
        f"{stack.gateway}/api/v1/auth/register",
        content=b"{" + b" " * (200 * 1024) + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_a_trace_started_at_the_client_continues_through_gateway_into_the_service(stack, otlp):
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    # urllib, not httpx: earlier in-process tests instrument httpx, which would replace this
    # client's traceparent with one of the test process's own.
    request = urllib.request.Request(
        f"{stack.gateway}/api/v1/users/me",
        headers={"traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"},
    )
    with pytest.raises(urllib.error.HTTPError) as answered:
        urllib.request.urlopen(request, timeout=10)
    assert answered.value.code in (401, 404)

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        spans = [s for s in otlp.spans if s.trace_id == trace_id]
        if {"gateway", "auth"} <= {s.service for s in spans}:
            break
        time.sleep(0.1)
    by_service = {}
    for span in spans:
        by_service.setdefault(span.service, []).append(span)
    assert {"gateway", "auth"} <= set(by_service), spans
    gateway_span_ids = {s.span_id for s in by_service["gateway"]}
    auth_server = [s for s in by_service["auth"] if s.kind == 2]  # SPAN_KIND_SERVER
    assert auth_server
    assert auth_server[0].parent_span_id in gateway_span_ids
