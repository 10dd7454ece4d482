"""Logs record every authentication event and never a credential (docs/architecture.md)."""

import logging

import pytest

from ..factories import PASSWORD, login, new_email, preferences, register


class Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        # The test's own HTTP client logs the URLs it requests; the service's logs are tested.
        if not record.name.startswith("httpx"):
            self.records.append(record)

    def text(self) -> str:
        """Everything a log line could carry: the message, its arguments and its extras."""
        return "\n".join(f"{r.getMessage()} {r.__dict__!r}" for r in self.records)

    def security_events(self, name: str) -> list[logging.LogRecord]:
        return [r for r in self.records if getattr(r, "security_event", None) == name]


@pytest.fixture
def recorder(app):
    """Attached after the app configured logging (which replaces the root handlers)."""
    handler = Recorder()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


async def test_no_password_or_token_reaches_the_logs(client, recorder):
    account = await register(client, password="a very particular passphrase 1")
    secrets = [account.password, account.access_token, account.refresh_token]
    pair = (await login(client, account.email, account.password)).json()
    secrets += [pair["access_token"], pair["refresh_token"]]
    wrong = "definitely-not-the-passphrase-2"
    secrets.append(wrong)
    await login(client, account.email, wrong)
    await login(client, new_email(), wrong)
    too_short = "tiny-7!"
    secrets.append(too_short)
    await client.post("/api/v1/auth/register", json={"email": new_email(), "password": too_short})
    bearer = {"Authorization": f"Bearer {pair['access_token']}"}
    await client.put("/api/v1/users/preferences", json=preferences(), headers=bearer)
    await client.get("/api/v1/users/me", headers=bearer)
    await client.get("/api/v1/users/me", params={"access_token": pair["access_token"]})
    await client.get("/api/v1/users/me", headers={"Authorization": "Bearer forged.token.here"})
    rotated = (
        await client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    ).json()
    secrets += [rotated["access_token"], rotated["refresh_token"]]
    await client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    await client.post("/api/v1/auth/logout", json={"refresh_token": rotated["refresh_token"]})

    logged = recorder.text()
    assert recorder.security_events("refresh_token_reuse")  # the flow was logged at all
    for secret in secrets:
        assert secret not in logged


async def test_each_failed_login_logs_exactly_one_auth_failure_event(client, recorder):
    account = await register(client)
    await login(client, account.email, PASSWORD + "?")
    await login(client, new_email(), PASSWORD)
    for _ in range(9):
        await login(client, account.email, "still wrong")
    assert (await login(client, account.email, PASSWORD)).status_code == 429  # the 12th
    failures = recorder.security_events("login_failed")
    assert len(failures) == 12
    reasons = [r.reason for r in failures]
    assert reasons == ["wrong_password", "unknown_email"] + ["wrong_password"] * 9 + ["throttled"]
    assert all(r.levelno == logging.WARNING for r in failures)
    assert failures[0].user_id == str(account.id)


async def test_a_successful_login_logs_one_success_event(client, recorder):
    account = await register(client)
    await login(client, account.email, PASSWORD)
    (success,) = recorder.security_events("login_succeeded")
    assert success.user_id == str(account.id)
    assert not recorder.security_events("login_failed")
