"""Numbers, booleans, dates, times and UUIDs in a request body must come as the JSON type the
OpenAPI document gives them: numbers and booleans as such, the others as strings.

Pydantic's lax mode, which request bodies use so that dates, times and UUIDs can arrive as JSON
strings, also turns `true` into 1, `"5"` into 5, `"yes"` into True and the number 0 into the
date 1970-01-01. A client that sends those has sent something the document calls invalid, and
the API promises to refuse what its document refuses (schemathesis' `negative_data_rejection`).
`StrictModel` runs `mistyped_scalars` on its input before validation, for its own fields;
nested `StrictModel`s check theirs.
"""

import types
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Annotated, Any, Union, get_args, get_origin
from uuid import UUID

from pydantic.fields import FieldInfo

ERROR_TYPE = "json_type"
_ACCEPTS: dict[type, tuple[type, ...]] = {
    int: (int,),
    float: (int, float),
    bool: (bool,),
    # ... or the object itself, when code (not a client) builds the model.
    date: (str, date),
    datetime: (str, datetime),
    time: (str, time),
    UUID: (str, UUID),
}
_NAMES = {
    int: "an integer",
    float: "a number",
    bool: "a boolean",
    date: "a date string",
    datetime: "a date-time string",
    time: "a time string",
    UUID: "a UUID string",
}


def _scalar_types(annotation: Any) -> set[type] | None:
    """The scalar types a field takes (`int | None` → {int}); None when it takes anything else
    (a plain string, a model, a list, a literal), which this check leaves to pydantic."""
    if get_origin(annotation) is Annotated:
        return _scalar_types(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        found: set[type] = set()
        for member in get_args(annotation):
            if member is type(None):
                continue
            scalar = _scalar_types(member)
            if scalar is None:
                return None
            found |= scalar
        return found or None
    return {annotation} if annotation in _ACCEPTS else None


def _is_exactly(value: Any, scalars: set[type]) -> bool:
    if isinstance(value, bool):
        return bool in scalars
    if int in scalars and isinstance(value, float) and value.is_integer():
        return True  # JSON Schema counts 900.0 as an integer, as pydantic does
    return any(isinstance(value, _ACCEPTS[scalar]) for scalar in scalars)


def mistyped_scalars(
    fields: Mapping[str, FieldInfo], data: Any
) -> list[tuple[tuple[str, ...], str]]:
    """(location, message) for every field of `data` whose value is not the JSON type its
    scalar type is sent as (null is left to the field's own type)."""
    if not isinstance(data, Mapping):
        return []
    found = []
    for name, field in fields.items():
        key = field.alias or name
        if key not in data or data[key] is None:
            continue
        scalars = _scalar_types(field.annotation)
        if scalars and not _is_exactly(data[key], scalars):
            expected = " or ".join(_NAMES[scalar] for scalar in sorted(scalars, key=str))
            found.append(((key,), f"Input should be {expected}, as a JSON value of that type."))
    return found
