"""The ai service's subscription table: event type → handler.

The queue `ai.events` is declared now; PlanRequested is bound when generation lands (issue 5).
"""

from schediora_runtime.messaging.consumer import Subscriptions

SUBSCRIPTIONS: Subscriptions = {}
