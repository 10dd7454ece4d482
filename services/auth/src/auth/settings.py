"""The auth service's settings, read from the environment (README.md lists every variable)."""

from pathlib import Path
from typing import Literal, Self

from pydantic import Field, PostgresDsn, SecretStr, model_validator

from schediora_contracts import ACCESS_TOKEN_MAX_TTL_SECONDS
from schediora_runtime.settings import ServiceSettings

DEVELOPMENT_KEY_FILE = Path(__file__).resolve().parents[2] / "var" / "auth-signing-key.pem"
"""Where development and test runs keep the signing key they generate (git-ignored)."""

# OWASP Password Storage Cheat Sheet: Argon2id rows of equal strength, (memory KiB, iterations).
OWASP_ARGON2ID_MINIMUMS = ((47_104, 1), (19_456, 2), (12_288, 3), (9_216, 4), (7_168, 5))


def meets_owasp_minimum(memory_kib: int, time_cost: int) -> bool:
    return any(memory_kib >= m and time_cost >= t for m, t in OWASP_ARGON2ID_MINIMUMS)


class Settings(ServiceSettings):
    service_name: str = "auth"
    port: int = Field(default=8001, ge=1, le=65535)
    database_url: PostgresDsn = PostgresDsn(
        "postgresql+psycopg://schediora_auth@127.0.0.1:5432/schediora"
    )
    database_schema: str = "auth"

    # Tokens (docs/api.md: Auth). The signing key is an Ed25519 private key in PEM (PKCS#8).
    access_token_ttl_seconds: int = Field(
        default=ACCESS_TOKEN_MAX_TTL_SECONDS, ge=30, le=ACCESS_TOKEN_MAX_TTL_SECONDS
    )
    refresh_token_ttl_seconds: int = Field(
        default=30 * 86_400, ge=60, description="Absolute lifetime of a refresh-token family."
    )
    jwt_signing_key: SecretStr | None = Field(
        default=None, description="PEM of the Ed25519 private key that signs access tokens."
    )
    jwt_signing_key_file: Path | None = Field(
        default=None,
        description="A file holding that PEM (e.g. a mounted secret); development generates "
        "one at services/auth/var/auth-signing-key.pem when neither is set.",
    )
    jwt_previous_public_keys: str | None = Field(
        default=None,
        description="PEM blocks of earlier signing keys, still published and accepted while "
        "tokens they signed may live (key rotation).",
    )

    signing_keys_refresh_seconds: float = Field(
        default=0.5,
        gt=0,
        le=10,
        description="How often each auth process reloads the keys rotated in or withdrawn by "
        "`python -m auth.signing` (its own tokens with a withdrawn key are refused within it).",
    )

    # Passwords: Argon2id with 64 MiB and 2 passes, above every OWASP row. argon2-cffi's RFC 9106
    # low-memory profile (t=3, p=4) took 4.0 s for 20 concurrent verifications on the 2-core box
    # against 1.9 s for these (README.md, "Passwords").
    password_time_cost: int = Field(default=2, ge=1)
    password_memory_kib: int = Field(default=65_536, ge=8)
    password_parallelism: int = Field(default=1, ge=1)
    password_hashing_concurrency: int = Field(
        default=2, ge=1, description="Hashes computed at once; each holds memory_kib of RAM."
    )
    password_queue_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        description="A login or registration that waited this long for a hashing slot is "
        "answered 503 instead of being hashed after its client gave up.",
    )

    # Throttling (README.md: "Throttling"), kept in PostgreSQL so every replica sees it.
    login_failures_per_email: int = Field(default=10, ge=1)
    login_failures_per_address: int = Field(default=100, ge=1)
    login_window_seconds: int = Field(default=900, ge=1)
    login_lockout_seconds: int = Field(default=900, ge=1)
    register_conflicts_per_address: int = Field(default=20, ge=1)
    register_window_seconds: int = Field(default=3600, ge=1)
    trusted_proxy_hops: int = Field(
        default=1,
        ge=0,
        le=10,
        description="Proxies in front of auth that append to X-Forwarded-For (the gateway: 1; "
        "gateway behind an ingress: 2; 0 ignores the header).",
    )

    # Account mails (README.md: "Accounts and mail"): SMTP, the app's links, token lifetimes.
    smtp_host: str = Field(
        default="127.0.0.1",
        description="The SMTP server; `make run` starts a development mail catcher on "
        "127.0.0.1:1025 when SMTP_HOST is not set.",
    )
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    smtp_from: str = "Schediora <no-reply@schediora.invalid>"
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_tls: Literal["none", "starttls", "tls"] = Field(
        default="none", description="none: plain SMTP; starttls: upgrade; tls: implicit TLS."
    )
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    app_base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Where the app opens links: <APP_BASE_URL>/verify-email?token=... and "
        "/reset-password?token=...",
    )
    reset_token_ttl_seconds: int = Field(default=3600, ge=60)
    verification_token_ttl_seconds: int = Field(default=7 * 86_400, ge=60)
    mail_poll_interval_seconds: float = Field(default=1.0, gt=0)
    mail_retry_max_seconds: float = Field(
        default=30.0, gt=0, description="Longest wait between two attempts at one mail."
    )
    mail_give_up_seconds: int = Field(
        default=86_400, ge=60, description="A mail not delivered for this long is dropped."
    )
    forgot_per_email: int = Field(default=5, ge=1)
    forgot_per_address: int = Field(default=20, ge=1)
    forgot_window_seconds: int = Field(default=3600, ge=1)
    verification_resends_per_user: int = Field(default=5, ge=1)
    verification_resends_per_address: int = Field(default=20, ge=1)
    verification_resend_window_seconds: int = Field(default=3600, ge=1)

    @model_validator(mode="after")
    def _production_hashes_are_strong(self) -> Self:
        if self.environment == "production" and not meets_owasp_minimum(
            self.password_memory_kib, self.password_time_cost
        ):
            raise ValueError("Argon2id parameters below the OWASP minimum in production")
        return self
