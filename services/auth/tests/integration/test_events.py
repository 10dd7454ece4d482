"""Registration and each preferences change publish exactly one event through the outbox,
also when RabbitMQ is down at the time of the request (docs/architecture.md: Messaging)."""

import asyncio
import uuid
from datetime import datetime

import aio_pika
import pytest

from schediora_contracts import UserPreferencesUpdated, UserRegistered
from schediora_runtime.messaging.codec import decode
from schediora_testkit import testing

from ..conftest import running
from ..factories import preferences, register


class EventTap:
    """A durable queue on the test's exchange that keeps every auth event (survives restarts)."""

    def __init__(self, settings) -> None:
        self.settings = settings
        self.name = testing.unique_name("auth-tap")

    async def __aenter__(self) -> "EventTap":
        connection = await aio_pika.connect(self.settings.rabbitmq_url)
        async with connection:
            channel = await connection.channel()
            queue = await channel.declare_queue(self.name, durable=True)
            await queue.bind(self.settings.events_exchange, routing_key="auth.#")
        return self

    async def __aexit__(self, *_) -> None:
        await testing.delete_broker_objects([self.name], [])

    async def events_of(self, user_id: uuid.UUID, expected: int, timeout: float = 30) -> list:
        """The envelopes and payloads for this user, once `expected` arrived, plus any extra
        that shows up within a second after (a duplicate would)."""
        found: list = []
        connection = await aio_pika.connect(self.settings.rabbitmq_url)
        async with connection:
            channel = await connection.channel()
            queue = await channel.declare_queue(self.name, passive=True)
            deadline = asyncio.get_running_loop().time() + timeout
            grace = None
            while True:
                now = asyncio.get_running_loop().time()
                if len(found) >= expected:
                    grace = grace or now + 1.0
                if now > (grace or deadline):
                    break
                message = await queue.get(fail=False)
                if message is None:
                    await asyncio.sleep(0.05)
                    continue
                await message.ack()
                envelope, event = decode(message.body)
                if getattr(event, "user_id", None) == user_id:
                    found.append((envelope, event))
        return found


async def test_registration_and_each_preferences_change_publish_one_event_each(settings):
    async with running(settings) as (_, client), EventTap(settings) as tap:
        account = await register(client, display_name="Ada")
        first, second = preferences(), preferences(daily_goal_minutes=300, break_minutes=0)
        for document in (first, second):
            response = await client.put(
                "/api/v1/users/preferences", json=document, headers=account.bearer
            )
            assert response.status_code == 200
        events = await tap.events_of(account.id, expected=3)

    assert [envelope.type for envelope, _ in events] == [
        "auth.user_registered",
        "auth.user_preferences_updated",
        "auth.user_preferences_updated",
    ]
    assert all(envelope.producer == "auth" and envelope.version == 1 for envelope, _ in events)
    registered = events[0][1]
    assert isinstance(registered, UserRegistered)
    assert (registered.email, registered.display_name) == (account.email, "Ada")
    assert isinstance(registered.registered_at, datetime)
    updates = [event for _, event in events[1:]]
    assert all(isinstance(update, UserPreferencesUpdated) for update in updates)
    assert [u.preferences.model_dump(mode="json") for u in updates] == [
        first | {"availability": first["availability"]},
        second,
    ]
    assert updates[0].updated_at < updates[1].updated_at


@pytest.mark.timeout(150)
async def test_events_of_requests_made_while_the_broker_is_down_are_published_once(settings):
    async with running(settings) as (_, client), EventTap(settings) as tap:
        async with testing.broker_stopped():
            account = await register(client)
            response = await client.put(
                "/api/v1/users/preferences", json=preferences(), headers=account.bearer
            )
            assert response.status_code == 200
        events = await tap.events_of(account.id, expected=2, timeout=60)
    assert [envelope.type for envelope, _ in events] == [
        "auth.user_registered",
        "auth.user_preferences_updated",
    ]
    assert events[1][1].preferences.model_dump(mode="json") == preferences()
