"""Resource limits every client meets (docs/reliability.md, item 33), over the operations of the
merged OpenAPI document (built in process as `GET /api/v1/openapi.json` builds it), so a new
operation is covered: a body over 1 MiB is a `413 payload_too_large` at the gateway before any
service could see it (the gateway's limit is 64 KiB), and no listing documents a page size above
100 (each service's test sends `limit=10000`: `test_resource_limits.py`)."""

import re
import uuid
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ai.main import create_app as create_ai
from ai.settings import Settings as AiSettings
from auth.main import create_app as create_auth
from auth.settings import Settings as AuthSettings
from auth.signing.keys import private_pem
from gateway.main import create_app as create_gateway
from gateway.openapi import merge_openapi
from gateway.routing import RouteTable
from gateway.settings import Settings as GatewaySettings
from planner.main import create_app as create_planner
from planner.settings import Settings as PlannerSettings

MIB = 1024 * 1024
PAGE_MAX = 100
METHODS = ("get", "post", "put", "patch", "delete")
# Nothing listens on the discard port: a body that got past the gateway would be a 503.
NOWHERE = "http://127.0.0.1:9"


def _merged_openapi() -> dict[str, Any]:
    common = {"log_json": False, "environment": "test"}
    key = private_pem(Ed25519PrivateKey.generate()).decode()
    documents = {
        "auth": create_auth(AuthSettings(jwt_signing_key=key, **common)).openapi(),
        "planner": create_planner(PlannerSettings(**common)).openapi(),
        "ai": create_ai(AiSettings(**common)).openapi(),
    }
    gateway = create_gateway(GatewaySettings(log_json=False)).openapi()
    return merge_openapi(gateway, documents, RouteTable().match)


def _operations(document: dict[str, Any]):
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield method.upper(), path, item[method]


async def test_a_body_over_1_mib_is_a_413_at_the_gateway_on_every_operation_that_takes_one():
    settings = GatewaySettings(
        log_json=False, auth_url=NOWHERE, planner_url=NOWHERE, ai_url=NOWHERE
    )
    assert settings.max_body_bytes <= MIB
    with_bodies = [
        (method, path) for method, path, op in _operations(_merged_openapi()) if "requestBody" in op
    ]
    assert len(with_bodies) >= 19  # auth 10, planner 8, ai 1
    app = create_gateway(settings)
    answers = {}
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            for method, path in with_bodies:
                url = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
                answer = await client.request(
                    method,
                    url,
                    content=b"{" + b" " * MIB + b"}",
                    headers={"Content-Type": "application/json", "Authorization": "Bearer x"},
                )
                answers[f"{method} {path}"] = (answer.status_code, answer.json().get("code"))
    assert set(answers.values()) == {(413, "payload_too_large")}, answers
    print(f"\nFIGURES body limit: {len(answers)} operations, 1 MiB + 2 bytes each: every one 413")


def test_no_listing_documents_a_page_size_above_100():
    limits = {
        f"{method} {path}": parameter["schema"]
        for method, path, operation in _operations(_merged_openapi())
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "limit"
    }
    assert len(limits) >= 4, limits  # subjects, plans, sessions, feedback
    assert {name: schema.get("maximum") for name, schema in limits.items()} == dict.fromkeys(
        limits, PAGE_MAX
    )
