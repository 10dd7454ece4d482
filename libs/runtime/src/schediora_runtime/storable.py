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


_DECLARED = "_schediora_declared_text_parameters"


def _declared_parameters(route: Any) -> tuple[frozenset[str], frozenset[str]]:
    """The query and header parameter names a route reads (its dependencies' included)."""
    declared = getattr(route, _DECLARED, None)
    if declared is None:
        queries: set[str] = set()
        headers: set[str] = set()
        pending = [route.dependant]
        while pending:
            dependant = pending.pop()
            queries.update(field.alias for field in dependant.query_params)
            headers.update(field.alias.lower() for field in dependant.header_params)
            pending.extend(dependant.dependencies)
        declared = (frozenset(queries), frozenset(headers))
        setattr(route, _DECLARED, declared)
    return declared


async def refuse_unstorable_parameters(request: Request) -> None:
    """A 422 naming every path, query or header parameter of the route that holds unstorable
    text. Parameters the route does not read are ignored, as FastAPI ignores them."""
    queries, headers = _declared_parameters(request.scope["route"])
    given = [
        *(("path", name, value) for name, value in request.path_params.items()),
        *(("query", name, value) for name, value in request.query_params.multi_items()),
        *(("header", name, value) for name, value in request.headers.items()),
    ]
    errors = [
        {"type": ERROR_TYPE, "loc": (where, name), "msg": message, "input": value}
        for where, name, value in given
        if where == "path"
        or (where == "query" and name in queries)
        or (where == "header" and name in headers)
        for _, message in unstorable_text(value)
    ]
    if errors:
        raise RequestValidationError(errors)
