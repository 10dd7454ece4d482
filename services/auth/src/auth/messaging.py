"""The auth service's subscription table. Auth only publishes; it consumes no event."""

from schediora_runtime.messaging.consumer import Subscriptions

SUBSCRIPTIONS: Subscriptions = {}
