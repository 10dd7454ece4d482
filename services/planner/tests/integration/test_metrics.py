"""`/metrics` on the planner's own port: HTTP requests by route template (never a raw path),
events by type and outcome, the outbox backlog and the queue depths; one access-log line per
request with its route, status and duration, none for probes."""

import logging
import uuid
from datetime import UTC, datetime

import httpx
from prometheus_client.parser import text_string_to_metric_families

from schediora_contracts import UserRegistered
from schediora_runtime.messaging.codec import wrap
from schediora_testkit import testing
from schediora_testkit.tokens import user_with_token

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def samples(text: str) -> dict[str, list]:
    return {family.name: family.samples for family in text_string_to_metric_families(text)}


def value(found: dict[str, list], sample_name: str, **labels: str) -> float:
    return sum(
        sample.value
        for family in found.values()
        for sample in family
        if sample.name == sample_name and labels.items() <= sample.labels.items()
    )


async def test_a_scrape_shows_requests_events_backlog_and_queues(
    settings, signing_key, running_app, caplog
):
    caplog.set_level(logging.INFO, logger="schediora.access")
    transport = httpx.ASGITransport(app=running_app, raise_app_exceptions=False)
    user = user_with_token(signing_key)
    async with httpx.AsyncClient(transport=transport, base_url="http://planner") as client:
        # The counters are the process's: other tests' requests are in them too, so the test
        # reads what its own requests added.
        before = samples((await client.get("/metrics")).text)
        plan_id = uuid.uuid4()
        for _ in range(3):
            answer = await client.get(f"/api/v1/plans/{plan_id}", headers=user.headers)
            assert answer.status_code in (404, 422), answer.text
        assert (await client.get("/no/such/path")).status_code == 404
        assert (await client.get("/health/live")).status_code == 200

        registered = wrap(
            UserRegistered(user_id=uuid.uuid4(), email="m@example.com", registered_at=T0),
            producer="auth",
        )
        await testing.publish(settings.rabbitmq_url, settings.events_exchange, registered)

        async def consumed() -> dict[str, list] | None:
            scrape = await client.get("/metrics")
            found = samples(scrape.text)
            labels = {"event_type": "auth.user_registered", "outcome": "applied"}
            applied = value(found, "schediora_events_total", **labels) - value(
                before, "schediora_events_total", **labels
            )
            return found if applied >= 1 else None

        found = await testing.eventually(consumed, timeout=20)
        scrape = await client.get("/metrics")

    assert scrape.headers["content-type"].startswith("text/plain")
    status = str(answer.status_code)
    route = "/api/v1/plans/{plan_id}"

    def added(name: str, **labels: str) -> float:
        return value(found, name, **labels) - value(before, name, **labels)

    assert added("schediora_http_requests_total", route=route, status=status) == 3
    assert added("schediora_http_request_duration_seconds_count", route=route) == 3
    assert added("schediora_http_requests_total", route="unmatched", status="404") == 1
    # Raw paths never become labels, and probes and scrapes are not counted.
    routes = {s.labels["route"] for s in found["schediora_http_requests"]}
    assert str(plan_id) not in " ".join(routes)
    assert "/health/live" not in routes
    assert "/metrics" not in routes
    assert value(found, "schediora_outbox_pending_events", service="planner") >= 0
    assert "schediora_outbox_oldest_pending_age_seconds" in found
    queues = {s.labels["queue"] for s in found["schediora_queue_messages"]}
    assert queues == {"service", "dead_letter"}

    lines = [r for r in caplog.records if r.name == "schediora.access"]
    routed = [r for r in lines if r.http_route == route]
    assert len(routed) == 3
    assert {r.http_status for r in routed} == {answer.status_code}
    assert all(r.duration_ms >= 0 and r.request_id for r in routed)
    assert not [r for r in lines if "/health" in r.http_route or r.http_route == "/metrics"]
