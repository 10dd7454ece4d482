"""`/api/v1/openapi.json` merges the services' documents; `/api/v1/docs` renders it."""


async def test_the_merged_document_has_each_services_routed_paths(gateway):
    response = await gateway.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "Schediora API"
    assert set(document["paths"]) == {
        "/api/v1/health/live",
        "/api/v1/health/ready",
        "/api/v1/users/me",
        "/api/v1/auth/jwks.json",
        "/api/v1/plans/{plan_id}",
        "/api/v1/ai/plans/generate",
        "/api/v1/feedback",
    }
    assert "x-unavailable" not in document


async def test_a_schema_name_two_services_use_differently_is_split_with_refs_following(gateway):
    schemas = (await gateway.get("/api/v1/openapi.json")).json()["components"]["schemas"]

    assert set(schemas["User"]["properties"]) == {"id", "email"}
    assert set(schemas["PlannerUser"]["properties"]) == {"id", "timezone"}
    assert schemas["Plan"]["properties"]["owner"]["$ref"] == "#/components/schemas/PlannerUser"
    # Identical schemas (FastAPI's validation errors) are shared, not copied per service.
    assert "HTTPValidationError" in schemas
    assert not any(
        name.endswith("HTTPValidationError") and name != "HTTPValidationError" for name in schemas
    )


async def test_an_unreachable_service_is_listed_and_the_rest_still_served(gateway, upstreams):
    await upstreams["planner"].stop()

    response = await gateway.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["x-unavailable"] == ["planner"]
    assert "/api/v1/users/me" in document["paths"]
    assert "/api/v1/feedback" in document["paths"]
    assert not any(path.startswith("/api/v1/plans") for path in document["paths"])


async def test_the_docs_page_renders_the_merged_document(gateway):
    response = await gateway.get("/api/v1/docs")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "/api/v1/openapi.json" in response.text


async def test_the_gateway_does_not_serve_its_own_document_at_the_root(gateway):
    # The root paths belong to no upstream, so they are plain 404s rather than a partial document.
    assert (await gateway.get("/openapi.json")).status_code == 404
    assert (await gateway.get("/docs")).status_code == 404
