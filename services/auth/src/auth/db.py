"""The auth schema: metadata for its tables and the outbox it publishes through."""

from sqlalchemy.orm import DeclarativeBase

from schediora_runtime.database import schema_metadata
from schediora_runtime.messaging.outbox import outbox_table

metadata = schema_metadata("auth")
outbox = outbox_table(metadata)


class Base(DeclarativeBase):
    metadata = metadata
