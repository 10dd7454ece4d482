"""The planner service's subscription table: event type → handler."""

from planner.users import consumers as users
from schediora_contracts import UserPreferencesUpdated, UserRegistered
from schediora_runtime.messaging.consumer import Subscriptions

SUBSCRIPTIONS: Subscriptions = {
    UserRegistered: users.on_user_registered,
    UserPreferencesUpdated: users.on_user_preferences_updated,
}
