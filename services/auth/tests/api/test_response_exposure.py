"""No answer of auth carries a password hash, a token hash or another user's data
(docs/reliability.md, item 32). Alice and Bob each have an account with two devices, a refreshed
pair, preferences and mailed verification and reset links; every answer Bob gets (his writes,
from registration to logout, and every GET of the OpenAPI document, with and without a forged
`user_id` in the query) is searched for Alice's id, email, name, password and tokens, for every
hash the database holds (passwords, refresh tokens, mailed tokens, throttle keys) and for any
field named like a hash, password or secret."""

import hashlib

import pytest
from sqlalchemy import text

from schediora_testkit.devmail import MailCatcher
from schediora_testkit.exposure import (
    assert_nothing_exposed,
    exposures,
    forbidden_spellings,
    get_paths,
    read_every_get,
    recording,
)

from ..factories import PASSWORD, Account, login, preferences, register

pytestmark = pytest.mark.mail

NEW_PASSWORD = "a brand new passphrase 42"
AUTH = "/api/v1/auth"


async def _stored_hashes(app) -> dict[str, str | bytes]:
    """Every hash auth keeps, whoever it belongs to, labelled by table and row."""
    found: dict[str, str | bytes] = {}
    queries = {
        "password_hash": "SELECT id::text, password_hash FROM auth.users",
        "refresh_token_hash": "SELECT id::text, token_hash FROM auth.refresh_tokens",
        "mailed_token_hash": "SELECT id::text, token_hash FROM auth.mailed_tokens",
        "throttle_key_hash": "SELECT key, split_part(key, ':', 2) FROM auth.throttles",
    }
    async with app.state.runtime.sessionmaker() as session:
        for label, query in queries.items():
            for row_id, value in (await session.execute(text(query))).all():
                if value:  # a row's old and new values (a changed password) are both kept
                    raw = value if isinstance(value, bytes) else value.encode()
                    found[f"{label} {row_id} {hashlib.sha256(raw).hexdigest()[:8]}"] = value
    return found


async def _everything_an_account_has(
    client, mailbox: MailCatcher, name: str
) -> tuple[Account, list[str]]:
    """An account with a second device, a refreshed pair, preferences, a verification mail sent
    again and a reset link, and every secret issued to it (tokens and mailed links' tokens, the
    latest verification token last but one)."""
    account = await register(client, display_name=f"{name} Example")
    second = (await login(client, account.email, PASSWORD)).json()
    refreshed = await client.post(
        f"{AUTH}/refresh", json={"refresh_token": second["refresh_token"]}
    )
    assert refreshed.status_code == 200, refreshed.text
    put = await client.put("/api/v1/users/preferences", json=preferences(), headers=account.bearer)
    assert put.status_code == 200, put.text
    again = await client.post(f"{AUTH}/verify-email/request", headers=account.bearer)
    assert again.status_code in (202, 204), again.text
    forgot = await client.post(f"{AUTH}/password/forgot", json={"email": account.email})
    assert forgot.status_code in (202, 204), forgot.text
    secrets = [
        account.access_token,
        account.refresh_token,
        second["access_token"],
        second["refresh_token"],
        refreshed.json()["access_token"],
        refreshed.json()["refresh_token"],
        *[mail.token for mail in await mailbox.wait_for(account.email, count=3)],
    ]
    return account, secrets


async def test_no_answer_bob_gets_carries_a_hash_or_anything_of_alices(client, app, mailbox):
    alice, alices_secrets = await _everything_an_account_has(client, mailbox, "Alice")
    with recording(client) as bobs:
        bob, bobs_secrets = await _everything_an_account_has(client, mailbox, "Bob")
        hashes_before = await _stored_hashes(app)
        verified = await client.post(f"{AUTH}/verify-email", json={"token": bobs_secrets[-2]})
        assert verified.status_code == 204, verified.text
        changed = await client.post(
            "/api/v1/users/me/password",
            json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
            headers=bob.bearer,
        )
        assert changed.status_code == 200, changed.text
        bob.access_token = changed.json()["access_token"]
        document = app.openapi()
        reads = await read_every_get(client, document, headers=bob.bearer, path_values={})
        forged = await read_every_get(
            client,
            document,
            headers=bob.bearer,
            path_values={},
            extra_query={"user_id": str(alice.id)},
        )
        logout = await client.post(
            f"{AUTH}/logout", json={"refresh_token": changed.json()["refresh_token"]}
        )
        assert logout.status_code == 204, logout.text
    assert get_paths(document) == [f"{AUTH}/jwks.json", "/api/v1/users/me"]
    assert reads["/api/v1/users/me"].json()["id"] == str(bob.id)
    for path, answer in forged.items():  # a user_id in the query is ignored
        assert (answer.status_code, answer.text) == (reads[path].status_code, reads[path].text)

    hashes = hashes_before | await _stored_hashes(app)
    bobs_passwords = [label for label in hashes if label.startswith(f"password_hash {bob.id}")]
    assert len(bobs_passwords) == 2  # before and after his change
    forbidden = {
        "Alice's id": str(alice.id),
        "Alice's email": alice.email,
        "Alice's name": "Alice Example",
        "a password": PASSWORD,
        "a new password": NEW_PASSWORD,
        **{f"Alice's secret {n}": secret for n, secret in enumerate(alices_secrets)},
        **hashes,
    }
    # The check can fail: the same read as Alice is found to carry her data.
    alices_me = await client.get("/api/v1/users/me", headers=alice.bearer)
    assert exposures(alices_me, forbidden_spellings(forbidden)) == [
        "Alice's email",
        "Alice's id",
        "Alice's name",
    ]
    swept = assert_nothing_exposed(bobs.answers, forbidden)  # his writes and the reads above
    print(
        f"\nFIGURES auth exposure: {swept} answers to Bob, {len(forbidden)} forbidden values"
        f" ({len(hashes)} stored hashes): none found"
    )
