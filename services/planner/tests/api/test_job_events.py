"""`GET /ai/jobs/{id}/events` (docs/api.md: Calendar, job events) over a real uvicorn server:
httpx's in-process transport would buffer the whole stream. The ai's events arrive over the
real broker; waiters are woken by PostgreSQL notifications (no polling)."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from sqlalchemy import text

from planner.generation.service import outcomes
from planner.main import create_app
from schediora_testkit import testing
from schediora_testkit.tokens import static_verifier

from .factories import create_subject
from .job_factories import GENERATE, JOBS, answer, failed, generated, planned, started
from .plan_factories import EVENINGS, at, set_preferences

# Only a guard against a hung test: nothing here asserts how fast an event comes.
GUARD_SECONDS = 30


@pytest.fixture
async def base_url(running_app) -> AsyncIterator[str]:
    async with testing.serving(running_app) as url:
        yield url


@pytest.fixture
async def job(client, alice, clock, running_app) -> dict:
    """Alice's queued generation job, with the PlanRequested the ai would receive."""
    await set_preferences(running_app, alice, "Europe/Berlin", "monday", EVENINGS)
    calculus = await create_subject(client, alice, "Calculus", exam_date="2026-11-28")
    response = await client.post(GENERATE, json={}, headers=alice.headers)
    assert response.status_code == 202, response.text
    return response.json() | {"subject_id": uuid.UUID(calculus["id"])}


class Stream:
    """An open event stream, read message by message (comments kept apart)."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.lines = response.aiter_lines()
        self.comments: list[str] = []

    async def next(self) -> dict | None:
        """The next message's `{event, data}`, or None when the stream ended."""
        fields: dict[str, str] = {}
        async with asyncio.timeout(GUARD_SECONDS):
            async for line in self.lines:
                if line.startswith(":"):
                    self.comments.append(line[1:].strip())
                elif line:
                    name, _, value = line.partition(":")
                    fields[name] = value.removeprefix(" ")
                elif fields:
                    return {"event": fields.get("event"), "data": json.loads(fields["data"])}
        return None

    async def statuses_until_end(self) -> list[str]:
        statuses = []
        while (message := await self.next()) is not None:
            statuses.append(message["data"]["status"])
        return statuses


@asynccontextmanager
async def events(base_url: str, user, job_id) -> AsyncIterator[Stream]:
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=GUARD_SECONDS) as http,
        http.stream("GET", f"{JOBS}/{job_id}/events", headers=user.headers) as response,
    ):
        assert response.status_code == 200, await response.aread()
        yield Stream(response)


def request_of(job: dict, user) -> object:
    """The PlanRequested fields the ai's answers need."""

    class Request:
        job_id = uuid.UUID(job["id"])
        user_id = user.id
        kind = job["kind"]
        week_start = job["week_start"]

    return Request


async def test_the_stream_shows_every_change_as_the_job_and_ends_after_completed(
    base_url, client, alice, job, running_app, settings
):
    request = request_of(job, alice)
    async with events(base_url, alice, job["id"]) as stream:
        assert stream.response.headers["content-type"].startswith("text/event-stream")
        assert stream.response.headers["cache-control"] == "no-cache"
        assert stream.response.headers["x-accel-buffering"] == "no"
        first = await stream.next()
        assert first is not None
        assert first["event"] == "job"
        polled = await client.get(f"{JOBS}/{job['id']}", headers=alice.headers)
        assert first["data"] == polled.json()
        assert first["data"]["status"] == "queued"

        await answer(running_app, settings, started(request))
        running = await stream.next()
        assert running is not None
        assert running["data"]["status"] == "running"

        await answer(
            running_app, settings, generated(request, [planned(job["subject_id"], at(25, 17))])
        )
        completed = await stream.next()
        assert completed is not None
        polled = await client.get(f"{JOBS}/{job['id']}", headers=alice.headers)
        assert completed["data"] == polled.json()
        assert completed["data"]["status"] == "completed"
        assert await stream.next() is None  # the stream ends after completed


async def test_a_failed_job_ends_the_stream(base_url, alice, job, running_app, settings):
    async with events(base_url, alice, job["id"]) as stream:
        assert (await stream.next())["data"]["status"] == "queued"
        await answer(running_app, settings, failed(request_of(job, alice)))
        assert await stream.statuses_until_end() == ["failed"]


async def test_a_finished_job_is_one_message_then_the_end(
    base_url, alice, job, running_app, settings
):
    await answer(running_app, settings, failed(request_of(job, alice)))

    async def is_failed() -> bool:
        async with running_app.state.runtime.sessionmaker() as session:
            status = await session.scalar(
                text("SELECT status FROM ai_jobs WHERE id = :id"), {"id": job["id"]}
            )
            return status == "failed"

    await testing.eventually(is_failed)
    async with events(base_url, alice, job["id"]) as stream:
        assert await stream.statuses_until_end() == ["failed"]


async def test_another_users_job_and_an_unknown_job_are_404(client, alice, bob, job, running_app):
    for user, job_id in ((bob, job["id"]), (alice, uuid.uuid4())):
        response = await client.get(f"{JOBS}/{job_id}/events", headers=user.headers)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "not_found"
    assert len(running_app.state.job_watch.waiters) == 0


async def test_a_client_that_goes_away_leaves_no_waiter(base_url, alice, job, running_app):
    waiters = running_app.state.job_watch.waiters
    async with events(base_url, alice, job["id"]) as stream:
        assert (await stream.next())["data"]["status"] == "queued"
        assert len(waiters) == 1
    # The client closed its connection while the stream waited for a change.

    async def released() -> bool:
        return len(waiters) == 0

    await testing.eventually(released)


def replica_settings(settings, **changes):
    """Another planner process's settings: the same database and exchange, its own queue."""
    return settings.model_copy(update={"queue_name": testing.unique_name("planner"), **changes})


@pytest.fixture
def keepalive_settings(settings):
    return replica_settings(settings, job_events_keepalive_seconds=0.2)


async def test_a_waiting_stream_sends_keep_alive_comments(
    alice, job, keepalive_settings, signing_key
):
    app = create_app(keepalive_settings, token_verifier=static_verifier(signing_key))
    async with (
        testing.consuming(app, keepalive_settings),
        testing.serving(app) as url,
        events(url, alice, job["id"]) as stream,
    ):
        assert (await stream.next())["data"]["status"] == "queued"

        async def kept_alive() -> bool:
            async with asyncio.timeout(GUARD_SECONDS):
                line = await anext(stream.lines)
            return line == ": keep-alive"

        await testing.eventually(kept_alive)


async def test_one_commit_wakes_the_streams_of_two_replicas(
    base_url, alice, job, running_app, settings, signing_key
):
    """Two planner processes (two apps, each with its own LISTEN connection and waiters): a
    change committed by neither (a third session, as another replica's consumer would) wakes
    the streams held by both."""
    other_settings = replica_settings(settings)
    other = create_app(other_settings, token_verifier=static_verifier(signing_key))
    async with (
        testing.consuming(other, other_settings),
        testing.serving(other) as other_url,
        events(base_url, alice, job["id"]) as one,
        events(other_url, alice, job["id"]) as two,
    ):
        assert (await one.next())["data"]["status"] == "queued"
        assert (await two.next())["data"]["status"] == "queued"
        async with running_app.state.runtime.sessionmaker.begin() as session:
            await outcomes.record_started(session, started(request_of(job, alice)))
        # Committed above: the NOTIFY left then, to both processes' listeners.
        assert (await one.next())["data"]["status"] == "running"
        assert (await two.next())["data"]["status"] == "running"


async def test_a_lost_listen_connection_reconnects_and_misses_no_change(
    base_url, alice, job, running_app
):
    listener = running_app.state.job_watch.listener
    await testing.eventually(lambda: _is_set(listener.connected))
    connections = listener.connections
    async with events(base_url, alice, job["id"]) as stream:
        assert (await stream.next())["data"]["status"] == "queued"
        async with running_app.state.runtime.sessionmaker.begin() as session:
            terminated = await session.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND application_name = 'planner-listen'"
                    " AND query ILIKE 'LISTEN%'"
                )
            )
            assert terminated >= 1
            # Committed while the listener is down or reconnecting: its notification may be lost.
            await outcomes.record_started(session, started(request_of(job, alice)))
        assert (await stream.next())["data"]["status"] == "running"

    async def reconnected() -> bool:
        return listener.connections > connections

    await testing.eventually(reconnected)


async def _is_set(event: asyncio.Event) -> bool:
    return event.is_set()
