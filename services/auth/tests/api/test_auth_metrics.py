"""Auth's domain metrics move with each answer: logins by outcome, and throttled requests by
the limit that refused them. Counters are process-global, so each test reads what it added."""

from schediora_testkit.metrics import Deltas

from ..conftest import client_address
from ..factories import PASSWORD, login, register

LOGINS = "schediora_auth_logins_total"
THROTTLED = "schediora_auth_throttled_requests_total"


async def test_each_login_counts_under_its_outcome_and_a_lock_under_its_limit(client):
    account = await register(client)
    deltas = Deltas()
    assert (await login(client, account.email, PASSWORD)).status_code == 200
    for i in range(10):
        wrong = await login(
            client, account.email, f"guess {i}", headers={"X-Forwarded-For": client_address()}
        )
        assert wrong.status_code == 401
    assert (await login(client, account.email, PASSWORD)).status_code == 429

    assert deltas.added(LOGINS, outcome="success") == 1
    assert deltas.added(LOGINS, outcome="bad_credentials") == 10
    assert deltas.added(LOGINS, outcome="throttled") == 1
    assert deltas.added(THROTTLED, limit="login_email") == 1
    assert deltas.added(THROTTLED, limit="login_address") == 0


async def test_an_address_lock_counts_under_the_address_limit(client):
    address = client_address()
    deltas = Deltas()
    for i in range(110):  # LOGIN_FAILURES_PER_ADDRESS is 100
        response = await login(
            client, f"nobody{i}@example.com", "x" * 12, headers={"X-Forwarded-For": address}
        )
        if response.status_code == 429:
            break
    assert response.status_code == 429
    assert deltas.added(THROTTLED, limit="login_address") == 1
    assert deltas.added(LOGINS, outcome="throttled") == 1
