"""CORS follows the configured origins."""

PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type",
}


async def test_a_preflight_from_a_configured_origin_is_allowed(gateway, upstreams):
    response = await gateway.options(
        "/api/v1/subjects", headers={"Origin": "https://app.schediora.test", **PREFLIGHT}
    )

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "https://app.schediora.test"
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "authorization" in response.headers["access-control-allow-headers"].lower()
    assert response.headers["x-request-id"]
    # The gateway answers the preflight itself.
    assert upstreams["planner"].seen == []


async def test_a_preflight_from_another_origin_is_refused(gateway):
    response = await gateway.options(
        "/api/v1/subjects", headers={"Origin": "https://evil.example", **PREFLIGHT}
    )

    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


async def test_a_proxied_answer_carries_cors_headers_for_a_configured_origin(gateway):
    response = await gateway.get("/api/v1/plans", headers={"Origin": "https://app.schediora.test"})

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "https://app.schediora.test"
    assert "x-request-id" in response.headers["access-control-expose-headers"].lower()


async def test_no_configured_origin_means_no_cors_headers(settings_for, gateway_for):
    async with gateway_for(settings_for(cors_allow_origins=[])) as gateway:
        response = await gateway.get(
            "/api/v1/plans", headers={"Origin": "https://app.schediora.test"}
        )

    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
