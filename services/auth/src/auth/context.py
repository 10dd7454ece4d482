"""What the auth use cases need besides a database session, built once per app."""

from dataclasses import dataclass

from auth.passwords.hashing import PasswordHasher
from auth.settings import Settings
from auth.signing.keys import KeyRing, load_key_ring
from auth.signing.tokens import AccessTokenSigner
from schediora_runtime.clock import Clock, utc_now


@dataclass(frozen=True)
class AuthContext:
    settings: Settings
    passwords: PasswordHasher
    keys: KeyRing
    tokens: AccessTokenSigner
    clock: Clock


def build_context(settings: Settings, clock: Clock = utc_now) -> AuthContext:
    keys = load_key_ring(settings)
    return AuthContext(
        settings=settings,
        passwords=PasswordHasher(
            time_cost=settings.password_time_cost,
            memory_kib=settings.password_memory_kib,
            parallelism=settings.password_parallelism,
            concurrency=settings.password_hashing_concurrency,
            queue_timeout_seconds=settings.password_queue_timeout_seconds,
        ),
        keys=keys,
        tokens=AccessTokenSigner(
            keys,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            ttl_seconds=settings.access_token_ttl_seconds,
        ),
        clock=clock,
    )
