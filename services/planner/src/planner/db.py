"""The planner schema: metadata for its tables, its outbox and its processed-events inbox."""

from sqlalchemy.orm import DeclarativeBase

from schediora_runtime.database import schema_metadata
from schediora_runtime.messaging.inbox import processed_events_table
from schediora_runtime.messaging.outbox import outbox_table

metadata = schema_metadata("planner")
outbox = outbox_table(metadata)
processed_events = processed_events_table(metadata)


class Base(DeclarativeBase):
    metadata = metadata
