"""Auth's UserDeleted erases the planner's copy of the user (and with it everything of theirs),
idempotently; nothing is written for the user afterwards; SessionsRevoked is recorded."""

import uuid
from datetime import UTC, datetime

from sqlalchemy import func, select

from planner.db import revocations
from planner.users.models import PlannerUser
from schediora_contracts import SessionsRevoked, UserDeleted, UserPreferencesUpdated, UserRegistered
from schediora_contracts.common import AvailabilityWindow, Preferences
from schediora_runtime.messaging.codec import wrap
from schediora_runtime.security import AccessClaims
from schediora_testkit import testing

NOW = datetime.now(UTC)
PREFERENCES = Preferences(
    timezone="UTC",
    week_starts_on="monday",
    daily_goal_minutes=60,
    session_minutes=50,
    break_minutes=10,
    availability=(AvailabilityWindow(weekday=0, start="18:00", end="21:00"),),
    preferred_time_of_day="evening",
)


async def _count(app, *where) -> int:
    async with app.state.runtime.sessionmaker() as session:
        return await session.scalar(select(func.count()).where(*where))


async def _publish(settings, *events):
    envelopes = [wrap(event, producer="auth") for event in events]
    await testing.publish(settings.rabbitmq_url, settings.events_exchange, *envelopes)
    return envelopes


async def test_a_deleted_user_is_erased_once_and_never_comes_back(settings, running_app):
    user_id = uuid.uuid4()
    await _publish(
        settings, UserRegistered(user_id=user_id, email="x@example.com", registered_at=NOW)
    )
    await testing.eventually(lambda: _exists(running_app, user_id))

    deleted = UserDeleted(user_id=user_id, deleted_at=NOW)
    await _publish(settings, deleted, deleted)  # two deliveries (two event ids): idempotent

    async def erased() -> bool:
        return (
            not await _exists(running_app, user_id)
            and await _count(
                running_app,
                revocations.c.user_id == user_id,
                revocations.c.session_id.is_(None),
            )
            == 2
        )

    await testing.eventually(erased)
    assert running_app.state.revocations.is_revoked(_claims(user_id))

    # A late event about the user writes nothing (it is acked, not dead-lettered).
    [late] = await _publish(
        settings, UserPreferencesUpdated(user_id=user_id, preferences=PREFERENCES, updated_at=NOW)
    )
    await testing.eventually(lambda: _processed(running_app, late.event_id))
    assert not await _exists(running_app, user_id)


async def test_sessions_revoked_reaches_the_planners_table_and_view(settings, running_app):
    user_id, session_id = uuid.uuid4(), uuid.uuid4()
    await _publish(
        settings,
        SessionsRevoked(
            user_id=user_id, session_ids=(session_id,), reason="logout", revoked_at=NOW
        ),
    )

    async def recorded() -> bool:
        return await _count(running_app, revocations.c.session_id == session_id) == 1

    await testing.eventually(recorded)
    assert running_app.state.revocations.is_revoked(_claims(user_id, session_id))
    assert not running_app.state.revocations.is_revoked(_claims(user_id, uuid.uuid4()))


def _claims(user_id, session_id=None):
    return AccessClaims(user_id, "jti", NOW, NOW, session_id)


async def _exists(app, user_id) -> bool:
    return await _count(app, PlannerUser.id == user_id) == 1


async def _processed(app, event_id) -> bool:
    table = app.state.runtime.consumer.processed_events
    return await _count(app, table.c.event_id == event_id) == 1
