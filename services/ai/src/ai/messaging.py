"""The ai service's subscription table: event type → handler."""

from ai.generations.consumers import on_plan_requested
from ai.providers import Provider
from schediora_contracts import PlanRequested
from schediora_runtime.messaging.consumer import Subscriptions


def subscriptions(provider: Provider) -> Subscriptions:
    return {PlanRequested: on_plan_requested(provider)}
