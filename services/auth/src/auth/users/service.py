"""Use cases of accounts: create one, read the profile, replace the preferences."""

import uuid
from datetime import UTC, datetime, timedelta
from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from auth.db import outbox
from auth.errors import EmailTaken
from auth.passwords.hashing import HashingSlot
from auth.users import repository
from auth.users.models import User
from auth.users.schemas import AvailabilityWindow, Preferences, UserRead
from schediora_contracts import UserPreferencesUpdated, UserRegistered
from schediora_contracts.common import Preferences as PreferencesContract
from schediora_runtime.messaging.outbox import record_event
from schediora_runtime.reads import Reads

PRODUCER = "auth"


class UserGone(LookupError):
    """A valid token names a user that no longer exists."""


async def create(
    session: AsyncSession,
    hashing: HashingSlot,
    *,
    email: str,
    password: str,
    display_name: str | None,
    now: datetime,
) -> User:
    """Insert the account and its UserRegistered event; `EmailTaken` if the email is in use."""
    # Checked first so a taken email costs no hash; the unique index decides any race.
    if await repository.email_exists(session, email):
        raise EmailTaken("An account with this email already exists.")
    user = User(
        id=uuid.uuid4(),
        email=email,
        display_name=display_name,
        password_hash=await hashing.hash(password),
        created_at=now,
    )
    try:
        await repository.add(session, user)
    except IntegrityError:
        raise EmailTaken("An account with this email already exists.") from None
    await record_event(
        session,
        outbox,
        UserRegistered(user_id=user.id, email=email, display_name=display_name, registered_at=now),
        producer=PRODUCER,
    )
    return user


def profile(user: User, preferences: Preferences | None = None) -> UserRead:
    return UserRead(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        email_verified=user.email_verified_at is not None,
        created_at=user.created_at,
        preferences=preferences,
    )


async def get_profile(reads: Reads, user_id: UUID) -> UserRead:
    """The profile, read in one autocommit statement (no transaction to open or commit)."""
    row = await reads.run(lambda connection: repository.profile_row(connection, user_id))
    if row is None:
        raise UserGone(str(user_id))
    # Built without validation: the row holds what a validated request stored (README:
    # Performance); validating it again cost a tenth of the request.
    preferences = None
    if row["has_preferences"]:
        preferences = Preferences.model_construct(
            **{f: row[f] for f in Preferences.model_fields},
        )
        preferences.availability = [
            AvailabilityWindow.model_construct(**window) for window in row["availability"]
        ]
    return UserRead.model_construct(
        id=row["id"],
        email=row["email"],
        display_name=row["display_name"],
        email_verified=row["email_verified"],
        created_at=row["created_at"].astimezone(UTC),
        preferences=preferences,
    )


async def replace_preferences(
    session: AsyncSession, user_id: UUID, preferences: Preferences, now: datetime
) -> Preferences:
    """Store the full preferences and publish them, in the order the changes commit."""
    # The user's row lock orders concurrent replacements, so the event the planner keeps last
    # (by `updated_at`) is the state stored here last.
    if await repository.get_for_update(session, user_id) is None:
        raise UserGone(str(user_id))
    previous = await repository.get_preferences(session, user_id)
    updated_at = now
    if previous is not None:
        updated_at = max(now, previous.updated_at + timedelta(microseconds=1))
    values = preferences.model_dump(mode="json")
    await repository.replace_preferences(session, user_id, values | {"updated_at": updated_at})
    await record_event(
        session,
        outbox,
        UserPreferencesUpdated(
            user_id=user_id,
            preferences=PreferencesContract.model_validate(values),
            updated_at=updated_at,
        ),
        producer=PRODUCER,
    )
    return preferences
