"""What the database keeps of tokens and passwords (docs/architecture.md: Security)."""

import hashlib
import re

import argon2
from sqlalchemy import select, text

from auth.sessions.models import RefreshToken
from auth.settings import meets_owasp_minimum
from auth.users.models import User

from ..conftest import REAL_HASHING, make_settings, running
from ..factories import PASSWORD, login, register


async def _dump(app) -> str:
    """Every row of every auth table, as text, like a database dump."""
    async with app.state.runtime.sessionmaker() as session:
        tables = (
            await session.scalars(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'auth' ORDER BY 1")
            )
        ).all()
        rows = []
        for table in tables:
            result = await session.execute(text(f'SELECT t::text FROM auth."{table}" t'))
            rows += [row[0] for row in result]
    return "\n".join(rows)


async def test_the_database_holds_only_hashes_of_refresh_tokens_and_passwords(client, app):
    account = await register(client)
    pair = (await login(client, account.email, PASSWORD)).json()
    issued = [account.refresh_token, pair["refresh_token"]]
    dump = await _dump(app)
    for token in issued:
        assert token not in dump
        assert hashlib.sha256(token.encode()).hexdigest() in dump.replace("\\x", "")
    assert PASSWORD not in dump
    assert account.access_token not in dump
    async with app.state.runtime.sessionmaker() as session:
        stored = await session.scalar(
            select(RefreshToken.token_hash).where(
                RefreshToken.token_hash == hashlib.sha256(issued[1].encode()).digest()
            )
        )
    assert len(stored) == 32


async def test_refresh_tokens_carry_256_random_bits(client):
    account = await register(client)
    tokens = {account.refresh_token}
    for _ in range(20):
        tokens.add((await login(client, account.email, PASSWORD)).json()["refresh_token"])
    assert len(tokens) == 21
    for token in tokens:
        # token_urlsafe(32): 32 bytes from the OS CSPRNG in 43 base64url characters.
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)


async def test_stored_password_hashes_are_argon2id_at_or_above_owasp(test_database):
    async with running(make_settings(**REAL_HASHING)) as (app, client):
        account = await register(client)
        async with app.state.runtime.sessionmaker() as session:
            stored = await session.scalar(select(User.password_hash).where(User.id == account.id))
    assert re.fullmatch(
        r"\$argon2id\$v=19\$m=65536,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}", stored
    )
    parameters = argon2.extract_parameters(stored)
    assert meets_owasp_minimum(parameters.memory_cost, parameters.time_cost)


async def test_a_hash_made_with_older_parameters_is_rewritten_at_login(test_database):
    async with running(make_settings(**REAL_HASHING)) as (app, client):
        account = await register(client)
        old = argon2.PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
        async with app.state.runtime.sessionmaker.begin() as session:
            user = await session.get(User, account.id)
            user.password_hash = old.hash(PASSWORD.encode())
        assert (await login(client, account.email, PASSWORD)).status_code == 200
        async with app.state.runtime.sessionmaker() as session:
            rehashed = await session.scalar(select(User.password_hash).where(User.id == account.id))
        parameters = argon2.extract_parameters(rehashed)
        assert (parameters.memory_cost, parameters.time_cost, parameters.parallelism) == (
            65_536,
            2,
            1,
        )
        assert (await login(client, account.email, PASSWORD)).status_code == 200
