"""The planner service's subscription table: event type → handler."""

from planner.jobs import consumers as jobs
from planner.users import consumers as users
from schediora_contracts import (
    PlanGenerated,
    PlanGenerationFailed,
    PlanGenerationStarted,
    UserPreferencesUpdated,
    UserRegistered,
)
from schediora_runtime.messaging.consumer import Subscriptions

SUBSCRIPTIONS: Subscriptions = {
    UserRegistered: users.on_user_registered,
    UserPreferencesUpdated: users.on_user_preferences_updated,
    PlanGenerationStarted: jobs.on_plan_generation_started,
    PlanGenerated: jobs.on_plan_generated,
    PlanGenerationFailed: jobs.on_plan_generation_failed,
}
