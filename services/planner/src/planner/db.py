"""The planner schema: metadata for its tables, its outbox, its processed-events inbox
and the revoked sessions it refuses tokens of."""

from sqlalchemy.orm import DeclarativeBase

from schediora_runtime.database import schema_metadata
from schediora_runtime.messaging.inbox import processed_events_table
from schediora_runtime.messaging.outbox import outbox_table
from schediora_runtime.security.revocation import revocations_table

metadata = schema_metadata("planner")
outbox = outbox_table(metadata)
processed_events = processed_events_table(metadata)
revocations = revocations_table(metadata)


class Base(DeclarativeBase):
    metadata = metadata
