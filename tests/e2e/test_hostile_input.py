"""Through the gateway, the four services as processes: text PostgreSQL cannot store and bodies
that are not UTF-8 JSON answer `422 validation_error` problem+json from every service, and a
schemathesis run over the gateway's merged OpenAPI document finds nothing."""

import json
import socket
import uuid

import httpx
import pytest

from schediora_testkit import conformance

from .isolated import isolated_stack
from .students import preferences

pytestmark = pytest.mark.e2e

PASSWORD = "e2e hostile horse battery"
# One operation per service, each with a text field the service would store.
TEXT_FIELDS = [
    ("POST", "/auth/register", {"email": "x@example.com", "password": PASSWORD}, "display_name"),
    ("PUT", "/users/preferences", preferences(), "timezone"),
    ("POST", "/subjects", {}, "name"),
    ("POST", "/ai/plans/reschedule", {}, "notes"),
    ("POST", "/feedback", {"generation_id": str(uuid.uuid4()), "rating": 3}, "comments"),
]
UNREADABLE = [b'{"name": "caf\xe9"}', b"\x89PNG\r\n\x1a\n\xff\xfe", b"name=Maths"]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with isolated_stack(tmp_path_factory.mktemp("e2e-hostile-logs"), "hostile", {}) as stack:
        yield stack


@pytest.fixture(scope="module")
def token(stack) -> dict[str, str]:
    email = f"hostile-{uuid.uuid4().hex[:10]}@example.com"
    answer = httpx.post(
        f"{stack.gateway}/api/v1/auth/register",
        json={"email": email, "password": PASSWORD},
        timeout=15,
    )
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['tokens']['access_token']}"}


def assert_validation_problem(response: httpx.Response) -> list[dict]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "validation_error"
    return response.json()["errors"]


@pytest.mark.parametrize("character", ["\x00", "\ud800"], ids=["nul", "lone-surrogate"])
@pytest.mark.parametrize(("method", "path", "body", "field"), TEXT_FIELDS)
def test_unstorable_text_is_a_422_naming_the_field(
    stack, token, method, path, body, field, character
):
    # json.dumps escapes both as \u0000 and \ud800, as a client's JSON encoder would.
    content = json.dumps({**body, field: f"Ma{character}ths"}).encode()
    response = httpx.request(
        method,
        f"{stack.gateway}/api/v1{path}",
        content=content,
        headers={**token, "Content-Type": "application/json"},
        timeout=15,
    )
    errors = assert_validation_problem(response)
    assert {"loc": ["body", field], "msg": errors[0]["msg"]} == errors[0]
    assert f"U+{ord(character):04X}" in errors[0]["msg"]


@pytest.mark.parametrize("content", UNREADABLE, ids=["latin-1", "binary", "form"])
@pytest.mark.parametrize(("method", "path", "body", "field"), TEXT_FIELDS)
def test_a_body_that_is_not_utf8_json_is_a_422(stack, token, method, path, body, field, content):
    response = httpx.request(
        method,
        f"{stack.gateway}/api/v1{path}",
        content=content,
        headers={**token, "Content-Type": "application/json"},
        timeout=15,
    )
    assert_validation_problem(response)


def test_nul_in_a_query_parameter_is_a_422_naming_it(stack, token):
    response = httpx.get(
        f"{stack.gateway}/api/v1/subjects", params={"cursor": "a\x00b"}, headers=token
    )
    [error] = assert_validation_problem(response)
    assert error["loc"] == ["query", "cursor"]


def test_nul_in_a_header_never_reaches_a_service(stack, token):
    """HTTP/1.1 forbids control characters in header values; the gateway's server refuses the
    request before any application code runs (a client's HTTP library would not send it)."""
    host, port = stack.gateway.removeprefix("http://").split(":")
    request = (
        "POST /api/v1/ai/plans/generate HTTP/1.1\r\n"
        f"Host: {host}\r\nAuthorization: {token['Authorization']}\r\n"
        "Idempotency-Key: a\x00b\r\nContent-Type: application/json\r\n"
        "Content-Length: 2\r\nConnection: close\r\n\r\n{}"
    ).encode("latin-1")
    with socket.create_connection((host, int(port)), timeout=15) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]


def test_schemathesis_through_the_gateway_finds_nothing(stack, token):
    # A small budget: each service's own run (services/*/tests/api/test_conformance.py) has the
    # coverage phase and more examples; this one checks what the gateway adds and documents.
    # The merged document holds auth's logout-all, password change and account deletion: once
    # the run has sent one, its token is revoked and invalid data too is answered 401.
    run = conformance.run_url(
        f"{stack.gateway}/api/v1/openapi.json",
        headers=token,
        max_examples=5,
        max_steps=5,
        coverage=False,
        refusals=(400, 401, 415, 422),
    )
    print(f"\ngateway: {run.summary()}")
    assert run.links >= 6
    assert run.statuses[201] > 0
    assert not run.failures, run.report()
    assert not run.errors, run.report()
