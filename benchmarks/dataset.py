"""The data every load case reads: 1,000 users x 20 weeks of plans in the planner (written by
`planner.seed`, about 240,000 sessions), the same users in auth with their preferences, an
access token for each, and refresh tokens minted on demand.

Tokens are signed with the stack's throwaway key under the kid auth publishes, so that the load
spreads over all users without an Argon2 hash per account. Everything seeded is deleted at the
end (plans, sessions, subjects and refresh tokens go with their users).
"""

import asyncio
import hashlib
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

import httpx
import psycopg
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from planner.seed import analyze, remove, seed
from schediora_testkit.devstack import Stack
from schediora_testkit.testing import libpq_url
from schediora_testkit.tokens import SigningKey

USERS = 1000
WEEKS = 20
TOKEN_SECONDS = 6 * 3600
"""Access tokens outlive the longest run (the default 15 minutes would not)."""

# The last session of each user: a planned one later this week, which a PATCH may change.
_LATEST_SESSIONS = text("""
    SELECT DISTINCT ON (user_id) user_id, id FROM planner.study_sessions
    WHERE user_id = ANY(CAST(:ids AS uuid[])) AND active
    ORDER BY user_id, starts_at DESC
""")
_AVAILABILITY = json.dumps(
    [{"weekday": day, "start": "17:00", "end": "21:00"} for day in range(5)]
    + [{"weekday": 5, "start": "09:00", "end": "13:00"}]
)


@dataclass(frozen=True)
class Dataset:
    sessions: dict[UUID, UUID]
    """Each seeded user and the session their PATCH requests change."""
    bearer: dict[UUID, dict[str, str]]
    """Each seeded user's Authorization header."""
    plans: int
    session_count: int
    seconds: float
    auth_url: str

    @property
    def user_ids(self) -> list[UUID]:
        return list(self.sessions)

    def refresh_tokens(self, count: int) -> list[str]:
        """`count` fresh refresh tokens, each of a family of its own, spread over the users."""
        tokens = [secrets.token_urlsafe(32) for _ in range(count)]
        now = datetime.now(UTC)
        users = self.user_ids
        rows = [
            (
                uuid.uuid4(),
                users[i % len(users)],
                uuid.uuid4(),
                _sha256(token),
                now,
                now + timedelta(days=1),
            )
            for i, token in enumerate(tokens)
        ]
        with psycopg.connect(self.auth_url) as connection:
            connection.cursor().executemany(
                "INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, created_at, "
                "expires_at) VALUES (%s, %s, %s, %s, %s, %s)",
                rows,
            )
        return tokens


def _sha256(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def _seed_planner(url: str) -> tuple[dict[UUID, UUID], int, int, float]:
    engine = create_async_engine(url)
    try:
        started = time.perf_counter()
        async with engine.begin() as connection:
            seeded = await seed(connection, users=USERS, weeks=WEEKS)
        seconds = time.perf_counter() - started
        async with engine.begin() as connection:
            await analyze(connection)
            rows = await connection.execute(_LATEST_SESSIONS, {"ids": seeded.user_ids})
            sessions = {user_id: session_id for user_id, session_id in rows}
    finally:
        await engine.dispose()
    return sessions, seeded.plans, seeded.sessions, seconds


def _seed_auth(url: str, user_ids: list[UUID]) -> None:
    """The same users in auth, each with preferences, as `GET /users/me` reads them."""
    now = datetime.now(UTC)
    with psycopg.connect(url) as connection:
        cursor = connection.cursor()
        cursor.executemany(
            "INSERT INTO users (id, email, display_name, password_hash, created_at) "
            "VALUES (%s, %s, %s, 'not-a-hash', %s)",
            [(u, f"bench-{u.hex[:16]}@example.com", "Bench Student", now) for u in user_ids],
        )
        cursor.executemany(
            "INSERT INTO onboarding_preferences (user_id, timezone, week_starts_on, "
            "daily_goal_minutes, session_minutes, break_minutes, availability, "
            "preferred_time_of_day, updated_at) "
            "VALUES (%s, 'Europe/Berlin', 'monday', 120, 50, 10, %s, 'evening', %s)",
            [(u, _AVAILABILITY, now) for u in user_ids],
        )
        connection.execute("ANALYZE users; ANALYZE onboarding_preferences; ANALYZE refresh_tokens")


def auth_key(stack: Stack) -> SigningKey:
    """The key auth signs with in this stack, under the kid its JWKS publishes."""
    pem = stack.services["auth"].env["JWT_SIGNING_KEY"].encode()
    private_key = serialization.load_pem_private_key(pem, password=None)
    assert isinstance(private_key, Ed25519PrivateKey)
    public = SigningKey(private_key=private_key).public_jwk()["x"]
    published = httpx.get(f"{stack.gateway}/api/v1/auth/jwks.json", timeout=10).json()["keys"]
    kid = next(key["kid"] for key in published if key["x"] == public)
    return SigningKey(kid=kid, private_key=private_key)


def create(stack: Stack) -> Dataset:
    planner_url = stack.services["planner"].env["DATABASE_URL"]
    auth_url = libpq_url(stack.services["auth"].env["DATABASE_URL"])
    sessions, plans, session_count, seconds = asyncio.run(_seed_planner(planner_url))
    _seed_auth(auth_url, list(sessions))
    key = auth_key(stack)
    expires = int(time.time()) + TOKEN_SECONDS
    bearer = {
        user_id: {"Authorization": f"Bearer {key.access_token(user_id, exp=expires)}"}
        for user_id in sessions
    }
    return Dataset(sessions, bearer, plans, session_count, seconds, auth_url)


async def _remove_planner(url: str, user_ids: list[UUID]) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await remove(connection, user_ids)
    finally:
        await engine.dispose()


def remove_all(stack: Stack, dataset: Dataset) -> None:
    asyncio.run(_remove_planner(stack.services["planner"].env["DATABASE_URL"], dataset.user_ids))
    with psycopg.connect(dataset.auth_url) as connection:
        connection.execute("DELETE FROM users WHERE id = ANY(%s)", (dataset.user_ids,))
