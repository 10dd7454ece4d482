"""`create_service_app` verifies tokens against auth's JWKS, or with the verifier it is given."""

import uuid

import httpx
from asgi_lifespan import LifespanManager
from fastapi import APIRouter

from schediora_runtime.security import CurrentUser, RemoteJwks
from schediora_runtime.service import create_service_app
from schediora_runtime.settings import ServiceSettings
from schediora_testkit import testing
from schediora_testkit.tokens import SigningKey, jwks, static_verifier

router = APIRouter(prefix="/api/v1")


@router.get("/me")
async def me(user_id: CurrentUser) -> dict[str, str]:
    return {"user_id": str(user_id)}


def _settings(jwks_url: str) -> ServiceSettings:
    return ServiceSettings(
        service_name="probe",
        port=9999,
        database_url=testing.database_url("planner"),
        database_schema="planner",
        rabbitmq_url="amqp://guest:guest@127.0.0.1:1/",
        log_json=False,
        auth_jwks_url=jwks_url,
        jwks_timeout_seconds=0.5,
    )


async def _get_me(app, token: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


async def test_the_app_verifies_against_the_configured_jwks_and_closes_its_client(
    test_database, jwks_server
):
    key, user_id = SigningKey(), uuid.uuid4()
    jwks_server.document = jwks(key)
    app = create_service_app(
        _settings(jwks_server.url), title="probe", description="probe", routers=[router]
    )
    async with LifespanManager(app) as manager:
        verifier = app.state.token_verifier
        assert isinstance(verifier.keys, RemoteJwks)
        assert verifier.keys.url == jwks_server.url
        assert (await _get_me(manager.app, key.access_token(user_id))).json() == {
            "user_id": str(user_id)
        }
        assert (await _get_me(manager.app, SigningKey().access_token(user_id))).status_code == 401
    assert verifier.keys._client.is_closed


async def test_a_given_verifier_is_used_instead_and_left_open(test_database, unused_tcp_port):
    key, user_id = SigningKey(), uuid.uuid4()
    verifier = static_verifier(key)
    nowhere = f"http://127.0.0.1:{unused_tcp_port}/jwks.json"
    app = create_service_app(
        _settings(nowhere),
        title="probe",
        description="probe",
        routers=[router],
        token_verifier=verifier,
    )
    async with LifespanManager(app) as manager:
        assert app.state.token_verifier is verifier
        response = await _get_me(manager.app, key.access_token(user_id))
        assert response.status_code == 200


async def test_the_openapi_document_declares_the_bearer_scheme(test_database):
    app = create_service_app(
        _settings("http://127.0.0.1:1/jwks.json"),
        title="probe",
        description="probe",
        routers=[router],
    )
    schema = app.openapi()
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert schema["paths"]["/api/v1/me"]["get"]["security"] == [{"HTTPBearer": []}]
