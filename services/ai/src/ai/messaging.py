"""The ai service's subscription table: event type → handler."""

from ai.accounts.consumers import on_user_deleted
from ai.db import revocations
from ai.generations.consumers import on_plan_requested
from ai.providers import Provider
from schediora_contracts import PlanRequested, SessionsRevoked, UserDeleted
from schediora_runtime.messaging.consumer import Subscriptions
from schediora_runtime.security.revocation import sessions_revoked_handler


def subscriptions(
    provider: Provider, max_concurrent_generations: int, daily_token_budget: int | None = None
) -> Subscriptions:
    return {
        PlanRequested: on_plan_requested(provider, max_concurrent_generations, daily_token_budget),
        UserDeleted: on_user_deleted,
        SessionsRevoked: sessions_revoked_handler(revocations),
    }
