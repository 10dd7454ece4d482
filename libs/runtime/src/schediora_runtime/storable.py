"""Text PostgreSQL cannot store, refused at the HTTP edge as `422 validation_error`.

PostgreSQL's text types cannot hold NUL (U+0000), and a UTF-8 database holds no lone surrogate
(U+D800..U+DFFF): JSON may spell one (`"\\ud800"`), Python keeps it, the driver cannot encode
it. Either would fail in the database as a 500, so a request carrying one is refused before any
use case runs, with the location of the offending value. Every other character is stored as
sent. Request bodies are checked by `StrictModel` (problems.py) as a whole, nested models and
lists included; query, path and header parameters by `refuse_unstorable_parameters`, which every
service app runs before its routes' own dependencies.
"""

import re
from collections.abc import Iterator
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import SecretBytes, SecretStr

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
ERROR_TYPE = "unstorable_text"

Location = tuple[str | int, ...]


def describe(character: str) -> str:
    """The message for a value holding `character`."""
    code = ord(character)
    name = "NUL" if code == 0 else "a lone surrogate"
    return f"Text may not contain U+{code:04X} ({name}): it cannot be stored."


def unstorable_text(value: Any, location: Location = ()) -> Iterator[tuple[Location, str]]:
    """(location, message) of every string in a JSON-like value, keys included, that holds a
    character PostgreSQL cannot store."""
    if isinstance(value, str):
        if found := UNSTORABLE.search(value):
            yield location, describe(found.group())
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and (found := UNSTORABLE.search(key)):
                yield (*location, key), describe(found.group())
            else:
                yield from unstorable_text(item, (*location, key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from unstorable_text(item, (*location, index))
    elif isinstance(value, SecretStr | SecretBytes):
        secret = value.get_secret_value()
        if isinstance(secret, str):
            yield from unstorable_text(secret, location)


async def refuse_unstorable_parameters(request: Request) -> None:
    """A 422 naming every query, path or header parameter that holds unstorable text."""
    errors = [
        {"type": ERROR_TYPE, "loc": (where, name), "msg": message, "input": value}
        for where, pairs in (
            ("query", request.query_params.multi_items()),
            ("path", request.path_params.items()),
            ("header", request.headers.items()),
        )
        for name, value in pairs
        for _, message in unstorable_text(value)
    ]
    if errors:
        raise RequestValidationError(errors)
