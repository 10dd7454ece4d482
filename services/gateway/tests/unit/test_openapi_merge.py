"""Merging the services' OpenAPI documents into the API's one document."""

import copy

from gateway.openapi import merge_openapi, with_gateway_problems
from gateway.routing import RouteTable

OWNER = RouteTable().match
BASE = {
    "openapi": "3.1.0",
    "info": {"title": "Schediora API", "version": "1.0.0"},
    "paths": {"/api/v1/health/live": {"get": {"responses": {"200": {"description": "ok"}}}}},
}


def _ref(name, section="schemas"):
    return {"$ref": f"#/components/{section}/{name}"}


def _get(schema_ref):
    return {
        "get": {"responses": {"200": {"content": {"application/json": {"schema": schema_ref}}}}}
    }


def _document(paths, schemas=None, **components):
    return {
        "openapi": "3.1.0",
        "info": {"title": "service", "version": "0"},
        "paths": paths,
        "components": {"schemas": schemas or {}, **components},
    }


def test_only_the_paths_routed_to_a_service_are_taken_from_it():
    auth = _document(
        {
            "/api/v1/users/me": _get(_ref("User")),
            "/api/v1/plans": _get(_ref("User")),
            "/health/ready": _get(_ref("Readiness")),
        },
        {"User": {"type": "object"}, "Readiness": {"type": "object"}},
    )

    merged = merge_openapi(BASE, {"auth": auth}, OWNER)

    assert set(merged["paths"]) == {"/api/v1/health/live", "/api/v1/users/me"}
    # Readiness is only used by a path left out, so it is left out too.
    assert set(merged["components"]["schemas"]) == {"User"}


def test_components_used_only_through_other_components_are_kept():
    planner = _document(
        {"/api/v1/plans": _get(_ref("Plan"))},
        {
            "Plan": {"properties": {"sessions": {"items": _ref("Session")}}},
            "Session": {"properties": {"subject": _ref("Subject")}},
            "Subject": {"type": "object"},
            "Unused": {"type": "object"},
        },
    )

    merged = merge_openapi(BASE, {"planner": planner}, OWNER)

    assert set(merged["components"]["schemas"]) == {"Plan", "Session", "Subject"}


def test_identical_schemas_of_two_services_are_shared():
    error = {"properties": {"detail": {"type": "string"}}}
    auth = _document({"/api/v1/users/me": _get(_ref("Error"))}, {"Error": error})
    ai = _document({"/api/v1/feedback": _get(_ref("Error"))}, {"Error": copy.deepcopy(error)})

    merged = merge_openapi(BASE, {"auth": auth, "ai": ai}, OWNER)

    assert list(merged["components"]["schemas"]) == ["Error"]


def test_a_colliding_schema_is_renamed_with_its_service_and_its_refs_follow():
    auth = _document(
        {"/api/v1/users/me": _get(_ref("User"))}, {"User": {"properties": {"email": {}}}}
    )
    planner = _document(
        {"/api/v1/plans/{id}": _get(_ref("Plan")), "/api/v1/subjects": _get(_ref("User"))},
        {"Plan": {"properties": {"owner": _ref("User")}}, "User": {"properties": {"tz": {}}}},
    )

    merged = merge_openapi(BASE, {"auth": auth, "planner": planner}, OWNER)

    schemas = merged["components"]["schemas"]
    assert schemas["User"] == {"properties": {"email": {}}}
    assert schemas["PlannerUser"] == {"properties": {"tz": {}}}
    assert schemas["Plan"]["properties"]["owner"] == _ref("PlannerUser")
    paths = merged["paths"]
    assert paths["/api/v1/users/me"] == _get(_ref("User"))
    assert paths["/api/v1/subjects"] == _get(_ref("PlannerUser"))


def test_a_schema_that_differs_only_through_a_renamed_schema_is_renamed_too():
    # Both services call their page type `Page` with items of `Item`, but their items differ:
    # once planner's Item is renamed, planner's Page no longer equals auth's.
    page = {"properties": {"items": {"items": _ref("Item")}}}
    auth = _document(
        {"/api/v1/users": _get(_ref("Page"))},
        {"Page": copy.deepcopy(page), "Item": {"properties": {"email": {}}}},
    )
    planner = _document(
        {"/api/v1/subjects": _get(_ref("Page"))},
        {"Page": copy.deepcopy(page), "Item": {"properties": {"name": {}}}},
    )

    merged = merge_openapi(BASE, {"auth": auth, "planner": planner}, OWNER)

    schemas = merged["components"]["schemas"]
    assert schemas["PlannerPage"]["properties"]["items"]["items"] == _ref("PlannerItem")
    assert schemas["Page"]["properties"]["items"]["items"] == _ref("Item")
    assert merged["paths"]["/api/v1/subjects"] == _get(_ref("PlannerPage"))


def test_a_renamed_schema_takes_a_free_name():
    auth = _document(
        {"/api/v1/users/me": _get(_ref("User"))},
        {"User": {"title": "auth"}},
    )
    planner = _document(
        {"/api/v1/plans": _get(_ref("User")), "/api/v1/subjects": _get(_ref("PlannerUser"))},
        {"User": {"title": "planner"}, "PlannerUser": {"title": "planner's own"}},
    )

    merged = merge_openapi(BASE, {"auth": auth, "planner": planner}, OWNER)

    schemas = merged["components"]["schemas"]
    assert schemas["PlannerUser"] == {"title": "planner's own"}
    assert schemas["PlannerUser2"] == {"title": "planner"}
    assert merged["paths"]["/api/v1/plans"] == _get(_ref("PlannerUser2"))


def test_discriminator_mappings_follow_a_rename():
    auth = _document({"/api/v1/users/me": _get(_ref("Cat"))}, {"Cat": {"title": "auth cat"}})
    ai = _document(
        {"/api/v1/feedback": _get(_ref("Pet"))},
        {
            "Pet": {
                "oneOf": [_ref("Cat")],
                "discriminator": {
                    "propertyName": "kind",
                    "mapping": {"cat": "#/components/schemas/Cat"},
                },
            },
            "Cat": {"title": "ai cat"},
        },
    )

    merged = merge_openapi(BASE, {"auth": auth, "ai": ai}, OWNER)

    pet = merged["components"]["schemas"]["Pet"]
    assert pet["oneOf"] == [_ref("AiCat")]
    assert pet["discriminator"]["mapping"] == {"cat": "#/components/schemas/AiCat"}


def test_security_schemes_are_merged_and_requirements_follow_a_rename():
    bearer = {"type": "http", "scheme": "bearer"}
    auth = _document(
        {"/api/v1/users/me": {"get": {"security": [{"Bearer": []}], "responses": {}}}},
        securitySchemes={"Bearer": bearer},
    )
    planner = _document(
        {"/api/v1/plans": {"get": {"security": [{"Bearer": []}], "responses": {}}}},
        securitySchemes={"Bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
    )
    ai = _document(
        {"/api/v1/feedback": {"get": {"security": [{"Bearer": []}], "responses": {}}}},
        securitySchemes={"Bearer": dict(bearer)},
    )

    merged = merge_openapi(BASE, {"auth": auth, "planner": planner, "ai": ai}, OWNER)

    assert set(merged["components"]["securitySchemes"]) == {"Bearer", "PlannerBearer"}
    assert merged["paths"]["/api/v1/plans"]["get"]["security"] == [{"PlannerBearer": []}]
    assert merged["paths"]["/api/v1/feedback"]["get"]["security"] == [{"Bearer": []}]


def test_unavailable_services_are_listed_and_the_base_is_kept():
    merged = merge_openapi(BASE, {}, OWNER, unavailable=["planner", "ai"])

    assert merged["x-unavailable"] == ["planner", "ai"]
    assert merged["info"] == BASE["info"]
    assert merged["paths"] == BASE["paths"]


def test_tags_are_merged_by_name():
    auth = _document({}, None)
    auth["tags"] = [{"name": "auth"}, {"name": "health"}]
    ai = _document({}, None)
    ai["tags"] = [{"name": "ai"}, {"name": "health", "description": "again"}]

    merged = merge_openapi(BASE, {"auth": auth, "ai": ai}, OWNER)

    assert merged["tags"] == [{"name": "auth"}, {"name": "health"}, {"name": "ai"}]


def test_the_input_documents_are_left_unchanged():
    auth = _document({"/api/v1/users/me": _get(_ref("User"))}, {"User": {"title": "a"}})
    planner = _document({"/api/v1/plans": _get(_ref("User"))}, {"User": {"title": "p"}})
    before = copy.deepcopy((BASE, auth, planner))

    merge_openapi(BASE, {"auth": auth, "planner": planner}, OWNER)

    assert (BASE, auth, planner) == before


def test_operations_that_take_a_body_document_the_gateways_413():
    post = {
        "post": {
            "requestBody": {"content": {"application/json": {"schema": {}}}},
            "responses": {"201": {"description": "made"}},
        }
    }
    document = with_gateway_problems(
        merge_openapi(
            BASE, {"planner": _document({"/api/v1/subjects": {**post, **_get({})}})}, OWNER
        )
    )
    subjects = document["paths"]["/api/v1/subjects"]
    too_large = subjects["post"]["responses"]["413"]
    assert too_large["content"]["application/problem+json"]["schema"] == _ref("Problem")
    assert "413" not in subjects["get"]["responses"]
