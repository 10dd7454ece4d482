"""Requests reach the service the routing table names, unchanged but for the hop's headers."""

import gzip

import httpx
import pytest

from gateway.routing import ROUTES

PROBLEM = "application/problem+json"
GZIPPED = gzip.compress(b'{"compressed": true}')


@pytest.mark.parametrize(("prefix", "service"), sorted(ROUTES.items()))
async def test_each_prefix_reaches_its_service_with_path_and_query_unchanged(
    gateway, upstreams, prefix, service
):
    path_qs = f"{prefix}/some%20thing/x?limit=5&cursor=a%2Fb&flag"

    response = await gateway.get(path_qs)

    assert response.status_code == 200
    answer = response.json()
    assert answer["service"] == service
    assert answer["path_qs"] == path_qs
    assert [r["service"] for s in upstreams.values() for r in s.seen] == [service]


async def test_the_bare_prefix_reaches_its_service(gateway):
    response = await gateway.post("/api/v1/subjects", json={"name": "Calculus"})

    assert response.status_code == 201
    assert response.json()["path_qs"] == "/api/v1/subjects"
    assert response.json()["service"] == "planner"


async def test_longest_prefix_wins_for_ai_generations(gateway):
    assert (await gateway.get("/api/v1/ai/generations/42")).json()["service"] == "ai"
    assert (await gateway.get("/api/v1/ai/jobs/42")).json()["service"] == "planner"


@pytest.mark.parametrize(
    "path", ["/api/v1/plansX", "/api/v1/ai", "/api/v1/ai/other", "/api/v2/plans", "/nothing"]
)
async def test_a_path_no_service_owns_is_a_404_problem(gateway, upstreams, path):
    response = await gateway.get(path)

    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "not_found"
    assert not any(server.seen for server in upstreams.values())


async def test_method_body_and_status_pass_through(gateway, upstreams):
    response = await gateway.post(
        "/api/v1/feedback", content=b'{"rating": 4}', headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 201
    answer = response.json()
    assert answer["method"] == "POST"
    assert answer["body_length"] == len(b'{"rating": 4}')
    assert dict(answer["headers"])["content-type"] == "application/json"


async def test_the_request_id_is_echoed_and_forwarded_once(gateway, header_dict):
    response = await gateway.get("/api/v1/users/me", headers={"X-Request-ID": "app-req-123"})

    assert response.headers.get_list("x-request-id") == ["app-req-123"]
    assert header_dict(response.json())["x-request-id"] == "app-req-123"


async def test_a_generated_request_id_is_the_one_the_upstream_sees(gateway, header_dict):
    response = await gateway.get("/api/v1/users/me", headers={"X-Request-ID": "bad id <script>"})

    request_id = response.headers["x-request-id"]
    assert request_id != "bad id <script>"
    assert header_dict(response.json())["x-request-id"] == request_id


async def test_the_upstream_sees_a_traceparent_continuing_the_clients_trace(gateway, header_dict):
    trace_id, client_span = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    response = await gateway.get(
        "/api/v1/dashboard/summary", headers={"traceparent": f"00-{trace_id}-{client_span}-01"}
    )

    version, upstream_trace, parent_span, _ = header_dict(response.json())["traceparent"].split("-")
    assert (version, upstream_trace) == ("00", trace_id)
    # The parent is the gateway's own span, not the client's.
    assert parent_span != client_span


async def test_a_request_without_trace_context_still_carries_one_upstream(gateway, header_dict):
    response = await gateway.get("/api/v1/sessions")

    assert header_dict(response.json())["traceparent"].startswith("00-")


async def test_hop_by_hop_headers_stay_on_their_hop_and_forwarded_headers_are_added(
    gateway, upstreams, header_dict
):
    response = await gateway.get(
        "/api/v1/plans",
        headers={
            "Connection": "keep-alive, X-Hop-Secret",
            "X-Hop-Secret": "only for the gateway",
            "Keep-Alive": "timeout=5",
            "TE": "trailers",
            "Authorization": "Bearer token",
            "X-Forwarded-For": "198.51.100.1",
        },
    )

    seen = header_dict(response.json())
    for hop in ("connection", "x-hop-secret", "keep-alive", "te"):
        assert hop not in seen
    assert seen["authorization"] == "Bearer token"
    assert seen["host"] == upstreams["planner"].url.removeprefix("http://")  # its own, not ours
    assert seen["x-forwarded-for"] == "198.51.100.1, 203.0.113.7"
    assert seen["x-forwarded-proto"] == "http"
    assert seen["x-forwarded-host"] == "gateway.test"


async def test_the_gateway_invents_no_request_headers(gateway, header_dict):
    response = await gateway.get("/api/v1/plans", headers={"Accept-Encoding": "identity"})

    seen = header_dict(response.json())
    assert seen["accept-encoding"] == "identity"
    assert "content-type" not in seen


async def test_repeated_response_headers_all_reach_the_client_without_duplicates(gateway):
    response = await gateway.get("/api/v1/auth/cookies")

    assert response.headers.get_list("set-cookie") == ["a=1; Path=/", "b=2; Path=/"]
    # The gateway's own server writes Date and Server; the upstream's copies are dropped.
    assert response.headers.get_list("date") == []
    assert response.headers.get_list("server") == []


async def test_an_answer_of_unknown_length_is_streamed_through(gateway):
    response = await gateway.get("/api/v1/ai/generations/stream")

    assert response.status_code == 200
    assert response.content == b"one,two,three"
    assert response.headers["content-type"].startswith("text/plain")


async def test_cookies_an_upstream_sets_never_ride_along_on_another_request(gateway, header_dict):
    await gateway.get("/api/v1/auth/cookies")

    # A fresh client (no cookie jar of its own) asks next: the gateway must not have kept any.
    async with httpx.AsyncClient(transport=gateway._transport, base_url="http://other") as other:
        response = await other.get("/api/v1/auth/whoami")

    assert "cookie" not in header_dict(response.json())


async def test_a_redirect_is_relayed_not_followed(gateway, upstreams):
    response = await gateway.get("/api/v1/ai/jobs/redirect")

    assert response.status_code == 302
    assert response.headers["location"] == "/api/v1/plans/current"
    assert len(upstreams["planner"].seen) == 1


async def test_an_encoded_body_passes_byte_for_byte(gateway):
    response = await gateway.get("/api/v1/dashboard/gzip", headers={"Accept-Encoding": "gzip"})

    assert response.headers["content-encoding"] == "gzip"
    assert int(response.headers["content-length"]) == len(GZIPPED)
    assert response.json() == {"compressed": True}


async def test_the_gateway_counts_a_proxied_request_by_its_prefix_never_its_path(gateway):
    await gateway.get("/api/v1/plans/8d4c3f5e-1f7a-4f6e-9f0e-0c6b8a8f3b1a")

    scrape = (await gateway.get("/metrics")).text

    counted = [
        line
        for line in scrape.splitlines()
        if line.startswith("schediora_http_requests_total")
        and 'route="/api/v1/plans/*"' in line
        and 'method="GET"' in line
        and 'status="200"' in line
    ]
    assert len(counted) == 1
    assert float(counted[0].rsplit(" ", 1)[1]) >= 1
    assert "8d4c3f5e" not in scrape
