"""What every service gets from `create_service_app`: problem+json, strict bodies, request ids."""

from typing import Annotated

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter, Header
from pydantic import Field

from schediora_runtime.problems import Conflict, StrictModel
from schediora_runtime.service import create_service_app
from schediora_runtime.settings import ServiceSettings
from schediora_testkit import testing


class SubjectIn(StrictModel):
    name: str = Field(min_length=1, max_length=120)
    difficulty: int = Field(default=3, ge=1, le=5)


class SubjectExists(Conflict):
    code = "subject_exists"


router = APIRouter(prefix="/api/v1")


@router.post("/subjects", status_code=201)
async def create_subject(body: SubjectIn) -> SubjectIn:
    if body.name == "Taken":
        raise SubjectExists("A subject with this name exists.")
    return body


@router.get("/subjects")
async def list_subjects() -> list[SubjectIn]:
    return []


@router.get("/search")
async def search(
    q: str = "", note: Annotated[str | None, Header(alias="X-Client-Note")] = None
) -> dict[str, str]:
    return {"q": q}


@router.get("/boom")
async def boom() -> None:
    raise RuntimeError("SELECT secret FROM users -- must never reach the client")


@pytest.fixture
async def client(test_database):
    settings = ServiceSettings(
        service_name="probe",
        port=9999,
        database_url=testing.database_url("planner"),
        database_schema="planner",
        rabbitmq_url="amqp://guest:guest@127.0.0.1:1/",
        log_json=False,
    )
    app = create_service_app(settings, title="probe", description="probe", routers=[router])
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            yield c


async def test_unknown_field_is_a_422_problem_naming_the_field(client):
    response = await client.post("/api/v1/subjects", json={"name": "Maths", "user_id": "x"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "validation_error"
    assert {"loc": ["body", "user_id"], "msg": "Extra inputs are not permitted"} in body["errors"]


async def test_out_of_range_value_is_a_422_with_its_location(client):
    response = await client.post("/api/v1/subjects", json={"name": "Maths", "difficulty": 9})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "difficulty"]


async def test_domain_error_has_its_status_and_stable_code(client):
    response = await client.post("/api/v1/subjects", json={"name": "Taken"})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "subject_exists"
    assert body["type"].endswith("/subject_exists")
    assert body["detail"] == "A subject with this name exists."


async def test_unexpected_error_is_a_generic_500_without_internals(client):
    response = await client.get("/api/v1/boom", headers={"X-Request-ID": "req-42"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "internal_error"
    assert "SELECT" not in response.text
    assert "Traceback" not in response.text
    assert response.json()["request_id"] == "req-42"


async def test_unknown_route_and_wrong_method_are_problems(client):
    missing = await client.get("/api/v1/nothing-here")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    wrong = await client.delete("/api/v1/subjects")
    assert (wrong.status_code, wrong.json()["code"]) == (405, "method_not_allowed")
    # Every method of the path, not only the first route's (Starlette's own 405 says "GET").
    assert wrong.headers["allow"] == "GET, POST"


async def test_request_id_is_echoed_or_generated(client):
    echoed = await client.get("/health/live", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    generated = await client.get("/health/live")
    assert len(generated.headers["x-request-id"]) == 32
    forged = await client.get("/health/live", headers={"X-Request-ID": 'a"b} {evil'})
    assert forged.headers["x-request-id"] != 'a"b} {evil'


def assert_validation_problem(response) -> list[dict]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "validation_error"
    return response.json()["errors"]


@pytest.mark.parametrize(
    "content",
    [b'{"name": "caf\xe9"}', b"\x89PNG\r\n\x1a\n\xff\xfe", b"[" * 100_000, b"name=Maths"],
    ids=["latin-1", "binary", "nested-too-deep", "form-encoded"],
)
async def test_a_body_that_is_not_utf8_json_is_a_422_validation_problem(client, content):
    response = await client.post(
        "/api/v1/subjects", content=content, headers={"Content-Type": "application/json"}
    )
    [error] = assert_validation_problem(response)
    assert error["loc"][0] == "body"


async def test_text_postgresql_cannot_store_is_a_422_naming_the_field(client):
    body = b'{"name": "Ma\\u0000ths"}'
    errors = assert_validation_problem(
        await client.post(
            "/api/v1/subjects", content=body, headers={"Content-Type": "application/json"}
        )
    )
    assert errors == [
        {"loc": ["body", "name"], "msg": "Text may not contain U+0000 (NUL): it cannot be stored."}
    ]
    surrogate = b'{"name": "Ma\\udc00ths"}'
    errors = assert_validation_problem(
        await client.post(
            "/api/v1/subjects", content=surrogate, headers={"Content-Type": "application/json"}
        )
    )
    assert errors[0]["loc"] == ["body", "name"]
    assert "U+DC00" in errors[0]["msg"]


async def test_query_path_and_header_parameters_refuse_nul_by_name(client):
    errors = assert_validation_problem(await client.get("/api/v1/search", params={"q": "a\x00"}))
    assert errors[0]["loc"] == ["query", "q"]
    errors = assert_validation_problem(
        await client.get("/api/v1/search", headers={"X-Client-Note": "a\x00b"})
    )
    assert errors[0]["loc"] == ["header", "x-client-note"]
    # Parameters the route does not read are ignored, as FastAPI ignores them.
    ignored = await client.get("/api/v1/search", params={"other": "\x00"}, headers={"X-O": "\x00"})
    assert ignored.status_code == 200
    assert (await client.get("/api/v1/search", params={"q": "Ünï \U0001f4da"})).json() == {
        "q": "Ünï \U0001f4da"
    }


@pytest.mark.parametrize(
    ("field", "value"), [("difficulty", True), ("difficulty", "3"), ("difficulty", 2.5)]
)
async def test_a_number_sent_as_another_json_type_is_a_422_naming_the_field(client, field, value):
    response = await client.post("/api/v1/subjects", json={"name": "Maths", field: value})
    assert (response.status_code, response.json()["code"]) == (422, "validation_error")
    assert [error["loc"] for error in response.json()["errors"]] == [["body", field]]
    whole = await client.post("/api/v1/subjects", json={"name": "Maths", field: 3.0})
    assert whole.status_code == 201, whole.text
