"""The planner keeps a local copy of each user's preferences from auth's events."""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from planner.users.models import PlannerUser
from schediora_contracts import UserPreferencesUpdated, UserRegistered
from schediora_contracts.common import AvailabilityWindow, Preferences
from schediora_runtime.messaging.codec import wrap
from schediora_testkit import testing

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _preferences(timezone: str, goal: int) -> Preferences:
    return Preferences(
        timezone=timezone,
        week_starts_on="sunday",
        daily_goal_minutes=goal,
        session_minutes=50,
        break_minutes=10,
        availability=(AvailabilityWindow(weekday=2, start="18:00", end="21:00"),),
        preferred_time_of_day="evening",
    )


async def _publish(settings, *envelopes):
    await testing.publish(settings.rabbitmq_url, settings.events_exchange, *envelopes)


async def _user(app, user_id):
    async with app.state.runtime.sessionmaker() as session:
        return await session.scalar(select(PlannerUser).where(PlannerUser.id == user_id))


async def _processed(app, *event_ids):
    table = app.state.runtime.consumer.processed_events
    async with app.state.runtime.sessionmaker() as session:
        rows = await session.scalars(
            select(table.c.event_id).where(table.c.event_id.in_(event_ids))
        )
        return set(rows)


async def test_registration_then_preferences_build_the_users_copy(settings, running_app):
    user_id = uuid.uuid4()
    registered = wrap(
        UserRegistered(user_id=user_id, email="a@example.com", registered_at=T0), producer="auth"
    )
    updated = wrap(
        UserPreferencesUpdated(
            user_id=user_id, preferences=_preferences("Pacific/Kiritimati", 90), updated_at=T0
        ),
        producer="auth",
    )
    await _publish(settings, registered, updated)

    async def applied():
        user = await _user(running_app, user_id)
        return user is not None and user.daily_goal_minutes == 90

    await testing.eventually(applied)
    user = await _user(running_app, user_id)
    assert (user.timezone, user.week_starts_on) == ("Pacific/Kiritimati", "sunday")
    assert user.availability == [{"weekday": 2, "start": "18:00", "end": "21:00"}]
    assert await _processed(running_app, registered.event_id, updated.event_id) == {
        registered.event_id,
        updated.event_id,
    }


async def test_a_redelivered_event_is_applied_once(settings, running_app):
    user_id = uuid.uuid4()
    update = wrap(
        UserPreferencesUpdated(user_id=user_id, preferences=_preferences("UTC", 60), updated_at=T0),
        producer="auth",
    )
    await _publish(settings, update, update, update)

    async def drained():
        queue = running_app.state.runtime.consumer.queue
        declared = await queue.channel.declare_queue(queue.name, passive=True)
        return declared.declaration_result.message_count == 0 and await _processed(
            running_app, update.event_id
        )

    await testing.eventually(drained)
    assert (await _user(running_app, user_id)).daily_goal_minutes == 60


async def test_an_older_preferences_event_never_overwrites_a_newer_one(settings, running_app):
    user_id = uuid.uuid4()
    newer = wrap(
        UserPreferencesUpdated(
            user_id=user_id,
            preferences=_preferences("America/Los_Angeles", 180),
            updated_at=T0 + timedelta(minutes=5),
        ),
        producer="auth",
    )
    older = wrap(
        UserPreferencesUpdated(user_id=user_id, preferences=_preferences("UTC", 30), updated_at=T0),
        producer="auth",
    )
    await _publish(settings, newer, older)

    async def both_processed():
        return len(await _processed(running_app, newer.event_id, older.event_id)) == 2

    await testing.eventually(both_processed)
    user = await _user(running_app, user_id)
    assert (user.timezone, user.daily_goal_minutes) == ("America/Los_Angeles", 180)
