"""Writes docs/asyncapi.yaml: the events on the broker, from libs/contracts and the services'
subscription tables.

    .venv/bin/python scripts/asyncapi.py          # rewrite docs/asyncapi.yaml
    .venv/bin/python scripts/asyncapi.py --check  # exit 1 when the committed file is stale

Each event's payload is a `$ref` to its exported JSON Schema in libs/contracts/schemas/ (written
by `python -m schediora_contracts.schema`), so the document never restates a model.
tests/docs/test_asyncapi.py fails when the committed document drifts from this output or from the
contracts.
"""

import inspect
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from ai.messaging import subscriptions as ai_subscriptions
from ai.providers.local import LocalProvider
from auth.messaging import SUBSCRIPTIONS as AUTH_SUBSCRIPTIONS
from planner.messaging import SUBSCRIPTIONS as PLANNER_SUBSCRIPTIONS
from schediora_contracts import EVENT_TYPES, Event
from schediora_runtime.security.key_rotation import ANNOUNCEMENTS
from schediora_runtime.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "docs" / "asyncapi.yaml"
SCHEMAS = "../libs/contracts/schemas"  # relative to docs/
EXCHANGE = ServiceSettings.model_fields["events_exchange"].default
DELIVERY_LIMIT = ServiceSettings.model_fields["delivery_limit"].default
SERVICES = ("auth", "planner", "ai")
AMQP_BINDING_VERSION = "0.3.0"


def consumed_events() -> dict[str, list[type[Event]]]:
    """Service → the events its subscription table handles (auth consumes none)."""
    tables: Mapping[str, Mapping[type[Event], Any]] = {
        "auth": AUTH_SUBSCRIPTIONS,
        "planner": PLANNER_SUBSCRIPTIONS,
        "ai": ai_subscriptions(LocalProvider(), 1),
    }
    return {service: list(table) for service, table in tables.items() if table}


LISTENERS = ("planner", "ai")
"""Services that verify tokens against auth's JWKS: each of their processes hears auth's key
announcements on a queue of its own (schediora_runtime.security.key_rotation)."""


def message_id(event: type[Event]) -> str:
    return f"{event.__name__}.v{event.version}"


def publisher(event: type[Event]) -> str:
    """Event types are `<producer>.<fact>`; the producer writes it to its outbox."""
    return event.event_type.split(".", 1)[0]


def _summary(event: type[Event]) -> str:
    doc = inspect.getdoc(event)
    if doc and doc != inspect.getdoc(Event):
        return " ".join(doc.split())
    return f"{event.__name__}, published by {publisher(event)}."


def _message(event: type[Event]) -> dict[str, Any]:
    schema_file = f"{SCHEMAS}/{event.event_type}.v{event.version}.json"
    return {
        "name": event.__name__,
        "title": f"{event.__name__} v{event.version}",
        "summary": _summary(event),
        "contentType": "application/json",
        "correlationId": {"$ref": "#/components/correlationIds/job"},
        "headers": {"$ref": "#/components/schemas/headers"},
        "payload": {
            "allOf": [
                {"$ref": f"{SCHEMAS}/envelope.json"},
                {
                    "type": "object",
                    "properties": {
                        "type": {"const": event.event_type},
                        "version": {"const": event.version},
                        "producer": {"const": publisher(event)},
                        "payload": {"$ref": schema_file},
                    },
                },
            ]
        },
        "bindings": {
            "amqp": {
                "contentEncoding": "utf-8",
                "messageType": event.event_type,
                "bindingVersion": AMQP_BINDING_VERSION,
            }
        },
        "x-routing-key": event.routing_key(),
        "x-aggregate": event.aggregate,
    }


def _exchange_binding() -> dict[str, Any]:
    return {
        "amqp": {
            "is": "routingKey",
            "exchange": {
                "name": EXCHANGE,
                "type": "topic",
                "durable": True,
                "autoDelete": False,
                "vhost": "/",
            },
            "bindingVersion": AMQP_BINDING_VERSION,
        }
    }


def _queue_channel(service: str, events: list[type[Event]]) -> dict[str, Any]:
    queue = f"{service}.events"
    keys = ", ".join(f"`{event.routing_key()}`" for event in events)
    return {
        "address": queue,
        "title": f"{service}'s queue",
        "description": (
            f"Quorum queue `{queue}` bound to `{EXCHANGE}` with {keys}. After {DELIVERY_LIMIT} "
            f"deliveries (`x-delivery-limit`) a message is dead-lettered through the fanout "
            f"exchange `{queue}.dlx` into `{queue}.dlq` (at-least-once dead-lettering, "
            "`x-overflow: reject-publish`). A message that is not a valid envelope of a known "
            "type and version goes to the DLQ at once."
        ),
        "messages": {
            message_id(event): {"$ref": f"#/components/messages/{message_id(event)}"}
            for event in events
        },
        "bindings": {
            "amqp": {
                "is": "queue",
                "queue": {
                    "name": queue,
                    "durable": True,
                    "exclusive": False,
                    "autoDelete": False,
                    "vhost": "/",
                },
                "bindingVersion": AMQP_BINDING_VERSION,
            }
        },
    }


def _announcement_channel(service: str) -> dict[str, Any]:
    keys = ", ".join(f"`{event.routing_key()}`" for event in ANNOUNCEMENTS)
    return {
        "address": None,
        "title": f"{service}'s per-process announcement queue",
        "description": (
            f"Every {service} process declares a server-named, exclusive, auto-delete queue "
            f"bound to `{EXCHANGE}` with {keys}: a cache invalidation every process needs, so "
            "not taken from the shared service queue. Nothing is written; a process that "
            "missed an announcement catches up by its scheduled JWKS refresh."
        ),
        "messages": {
            message_id(event): {"$ref": f"#/components/messages/{message_id(event)}"}
            for event in ANNOUNCEMENTS
        },
        "bindings": {
            "amqp": {
                "is": "queue",
                "queue": {"exclusive": True, "autoDelete": True, "durable": False, "vhost": "/"},
                "bindingVersion": AMQP_BINDING_VERSION,
            }
        },
    }


def build() -> dict[str, Any]:
    events = [EVENT_TYPES[key] for key in sorted(EVENT_TYPES)]
    consumers = consumed_events()
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for event in events:
        key = event.routing_key()
        readers = [service for service, handled in consumers.items() if event in handled]
        if event in ANNOUNCEMENTS:
            readers += [f"every {service} process" for service in LISTENERS]
        channels[key] = {
            "address": key,
            "title": f"{event.event_type} v{event.version}",
            "description": (
                f"Routing key `{key}` on the topic exchange `{EXCHANGE}`. Published by "
                f"{publisher(event)}; consumed by {', '.join(readers) or 'no service yet'}."
            ),
            "messages": {message_id(event): {"$ref": f"#/components/messages/{message_id(event)}"}},
            "bindings": _exchange_binding(),
        }
        operations[f"{publisher(event)}.publish.{message_id(event)}"] = {
            "action": "send",
            "title": f"{publisher(event)} publishes {event.__name__} v{event.version}",
            "summary": (
                "Written to the outbox in the transaction of the state change; the relay "
                "publishes it as a persistent, mandatory message and waits for the confirm."
            ),
            "channel": {"$ref": f"#/channels/{key}"},
            "messages": [{"$ref": f"#/channels/{key}/messages/{message_id(event)}"}],
            "tags": [{"name": publisher(event)}],
            "bindings": {"amqp": {"deliveryMode": 2, "mandatory": True, "bindingVersion": "0.3.0"}},
        }
    for service, handled in consumers.items():
        queue = f"{service}.events"
        channels[queue] = _queue_channel(service, handled)
        operations[f"{service}.receive"] = {
            "action": "receive",
            "title": f"{service} consumes its queue",
            "summary": (
                "Idempotent consumer: the handler's effects and the event id in "
                "`processed_events` commit in one transaction, then the message is acked; a "
                "duplicate is acked without effects."
            ),
            "channel": {"$ref": f"#/channels/{queue}"},
            "messages": [
                {"$ref": f"#/channels/{queue}/messages/{message_id(event)}"} for event in handled
            ],
            "tags": [{"name": service}],
            "bindings": {"amqp": {"ack": True, "bindingVersion": AMQP_BINDING_VERSION}},
        }
    for service in LISTENERS:
        channel = f"{service}.announcements"
        channels[channel] = _announcement_channel(service)
        operations[f"{service}.listen"] = {
            "action": "receive",
            "title": f"every {service} process hears auth's key announcements",
            "summary": (
                "Drops the keys the announcement no longer lists and refetches the JWKS at "
                "once; no acknowledgement, no deduplication needed."
            ),
            "channel": {"$ref": f"#/channels/{channel}"},
            "messages": [
                {"$ref": f"#/channels/{channel}/messages/{message_id(event)}"}
                for event in ANNOUNCEMENTS
            ],
            "tags": [{"name": service}],
            "bindings": {"amqp": {"ack": False, "bindingVersion": AMQP_BINDING_VERSION}},
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Schediora events",
            "version": "1.0.0",
            "description": (
                "The integration events the Schediora services exchange over RabbitMQ. "
                f"Every event travels in one envelope on the topic exchange `{EXCHANGE}` with "
                "the routing key `<type>.v<version>`, so a consumer binds exactly the versions "
                "it understands. Within a version only additive changes are made (consumers "
                "ignore unknown fields); a breaking change is a new version, published beside "
                "the old one. Delivery is at least once: consumers deduplicate on `event_id`. "
                "Generated by `scripts/asyncapi.py` from libs/contracts and the services' "
                "subscription tables; see docs/architecture.md (Messaging)."
            ),
            "tags": [{"name": service} for service in SERVICES],
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {
                "host": "127.0.0.1:5672",
                "protocol": "amqp",
                "protocolVersion": "0.9.1",
                "description": "RabbitMQ of `make run` and the tests (`RABBITMQ_URL`).",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": {message_id(event): _message(event) for event in events},
            "schemas": {
                "headers": {
                    "type": "object",
                    "description": (
                        "AMQP application headers: the W3C trace context of the request that "
                        "wrote the event (absent when tracing is off). The AMQP properties "
                        "carry message_id = event_id, type = event type, app_id = producer, "
                        "correlation_id, content_type application/json, delivery_mode 2."
                    ),
                    "properties": {
                        "traceparent": {"type": "string"},
                        "tracestate": {"type": "string"},
                    },
                }
            },
            "correlationIds": {
                "job": {
                    "description": (
                        "The AI job a plan event belongs to (the job id); absent on auth's events."
                    ),
                    "location": "$message.payload#/correlation_id",
                }
            },
        },
    }


def render(document: dict[str, Any]) -> str:
    header = "# Generated by scripts/asyncapi.py from libs/contracts; do not edit by hand.\n"
    return header + yaml.safe_dump(document, sort_keys=False, width=100, allow_unicode=True)


def main(argv: list[str]) -> int:
    text = render(build())
    if "--check" in argv:
        if TARGET.read_text() != text:
            print(f"{TARGET.relative_to(ROOT)} is stale: run scripts/asyncapi.py")
            return 1
        return 0
    TARGET.parent.mkdir(exist_ok=True)
    TARGET.write_text(text)
    print(f"wrote {TARGET.relative_to(ROOT)} ({len(EVENT_TYPES)} events)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
