"""The planner service's subscription table: event type → handler."""

from planner.db import revocations
from planner.generation import consumers as generation
from planner.users import consumers as users
from schediora_contracts import (
    PlanGenerated,
    PlanGenerationFailed,
    PlanGenerationStarted,
    SessionsRevoked,
    UserDeleted,
    UserPreferencesUpdated,
    UserRegistered,
)
from schediora_runtime.messaging.consumer import Subscriptions
from schediora_runtime.security.revocation import sessions_revoked_handler

SUBSCRIPTIONS: Subscriptions = {
    UserRegistered: users.on_user_registered,
    UserPreferencesUpdated: users.on_user_preferences_updated,
    UserDeleted: users.on_user_deleted,
    SessionsRevoked: sessions_revoked_handler(revocations),
    PlanGenerationStarted: generation.on_plan_generation_started,
    PlanGenerated: generation.on_plan_generated,
    PlanGenerationFailed: generation.on_plan_generation_failed,
}
