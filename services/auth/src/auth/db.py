"""The auth schema: metadata for its tables, the outbox it publishes through and the
revocations it checks its own tokens against."""

from sqlalchemy.orm import DeclarativeBase

from schediora_runtime.database import schema_metadata
from schediora_runtime.messaging.outbox import outbox_table
from schediora_runtime.security.revocation import revocations_table

metadata = schema_metadata("auth")
outbox = outbox_table(metadata)
revocations = revocations_table(metadata)


class Base(DeclarativeBase):
    metadata = metadata
