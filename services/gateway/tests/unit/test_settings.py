"""The gateway's settings under the environment names the deployment uses."""

import pytest
from pydantic import ValidationError

from gateway.settings import Settings


def test_defaults_match_the_local_ports_of_the_design(monkeypatch):
    for name in ("AUTH_URL", "PLANNER_URL", "AI_URL", "CORS_ALLOW_ORIGINS", "PORT"):
        monkeypatch.delenv(name, raising=False)

    settings = Settings(_env_file=None)

    assert settings.port == 8000
    assert settings.upstreams == {
        "auth": "http://127.0.0.1:8001",
        "planner": "http://127.0.0.1:8002",
        "ai": "http://127.0.0.1:8003",
    }
    assert settings.cors_allow_origins == []
    assert settings.max_body_bytes == 65536
    assert settings.upstream_timeout_seconds == 10.0
    assert settings.upstream_connect_timeout_seconds == 2.0
    assert settings.upstream_pool_size == 100


@pytest.mark.parametrize(
    "value",
    [
        "https://app.schediora.app, http://localhost:19006",
        '["https://app.schediora.app", "http://localhost:19006"]',
    ],
)
def test_cors_origins_are_read_comma_separated_or_as_json(monkeypatch, value):
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", value)

    assert Settings(_env_file=None).cors_allow_origins == [
        "https://app.schediora.app",
        "http://localhost:19006",
    ]


def test_an_empty_cors_variable_allows_no_origin(monkeypatch):
    # docker-compose passes `CORS_ALLOW_ORIGINS: ${CORS_ALLOW_ORIGINS:-}`, an empty string.
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", "")

    assert Settings(_env_file=None).cors_allow_origins == []


def test_upstream_urls_come_from_the_environment_without_a_trailing_slash(monkeypatch):
    monkeypatch.setenv("PLANNER_URL", "http://planner:8002/")
    monkeypatch.setenv("UPSTREAM_TIMEOUT_SECONDS", "2.5")

    settings = Settings(_env_file=None)

    assert settings.planner_url == "http://planner:8002"
    assert settings.upstream_timeout_seconds == 2.5


@pytest.mark.parametrize("url", ["planner:8002", "http://planner:8002/api", "ftp://planner"])
def test_an_upstream_url_with_a_path_or_another_scheme_is_refused(url):
    with pytest.raises(ValidationError):
        Settings(_env_file=None, planner_url=url)
