"""The API's timestamp form (docs/api.md: RFC 3339 in UTC), shared by every response schema."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import PlainSerializer, WithJsonSchema

UtcTimestamp = Annotated[
    datetime,
    # RFC 3339 in UTC with whole seconds, e.g. "2026-11-23T18:00:00Z".
    PlainSerializer(
        # isoformat() is several times cheaper than strftime() on every timestamp of a list.
        lambda value: value.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z",
        return_type=str,
        when_used="json",
    ),
    WithJsonSchema(
        {"type": "string", "format": "date-time", "examples": ["2026-11-23T18:00:00Z"]},
        mode="serialization",
    ),
]
