"""Test support: every response one user can get from a service, swept for what is not theirs.

Not imported by service code. A service's tests give the sweep what it must never find (another
user's ids, stored hashes read from the database, raw secrets) and the values to fill the path
and query parameters with (the sweeping user's own ids); `read_every_get` calls every GET of the
service's OpenAPI document, so a route added later is swept too, and a path parameter the test
has no value for fails the test instead of being skipped. `exposures` finds, in one answer, any
forbidden value (as text, hex or base64) and any field whose name says it holds a hash, a
password or a secret.
"""

import base64
import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx

from .input_probes import Document, Schema, _json_body_schema, operations

HEALTH = re.compile(r"^/health/")
TEMPLATE_PARAMETER = re.compile(r"\{([^}]+)\}")
SECRET_FIELD = re.compile(r"hash|password|secret|salt", re.IGNORECASE)
"""A response field named so holds what no answer may carry (`password_hash`, `token_hash`)."""


def spellings(value: str | bytes) -> set[str]:
    """How a stored value could appear in a body: as text, or bytes as hex or base64."""
    if isinstance(value, str):
        return {value, value.lower()}
    encoded = base64.b64encode(value).decode()
    return {
        value.hex(),
        value.hex().upper(),
        encoded,
        encoded.rstrip("="),
        base64.urlsafe_b64encode(value).decode().rstrip("="),
    }


def forbidden_spellings(forbidden: Mapping[str, str | bytes]) -> dict[str, str]:
    """Every spelling of every forbidden value, each with the label of the value it spells."""
    return {spelling: label for label, value in forbidden.items() for spelling in spellings(value)}


def _keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, child in value.items():
            yield str(key)
            yield from _keys(child)
    elif isinstance(value, list):
        for child in value:
            yield from _keys(child)


def exposures(
    response: httpx.Response,
    spelled: Mapping[str, str],
    allowed_fields: frozenset[str] = frozenset(),
) -> list[str]:
    """What `response` carries that it must not: the labels of forbidden values found in its
    body or headers, and the names of fields that hold a hash, password or secret."""
    text = response.text + "\n" + "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    found = sorted({label for spelling, label in spelled.items() if spelling in text})
    if "json" in response.headers.get("content-type", ""):
        try:
            keys = set(_keys(response.json()))
        except json.JSONDecodeError:
            keys = set()
        found += sorted(
            f"field {key}" for key in keys if SECRET_FIELD.search(key) and key not in allowed_fields
        )
    return found


class Recorder:
    """Every answer a client received while recording, its body read, by `METHOD path #n`."""

    def __init__(self) -> None:
        self.answers: dict[str, httpx.Response] = {}

    async def __call__(self, response: httpx.Response) -> None:
        await response.aread()
        request = response.request
        self.answers[f"{request.method} {request.url.path} #{len(self.answers)}"] = response


@contextmanager
def recording(client: httpx.AsyncClient) -> Iterator[Recorder]:
    """Record what `client` receives inside the block: the answers to one user's writes."""
    recorder = Recorder()
    hooks = client.event_hooks
    client.event_hooks = {**hooks, "response": [*hooks.get("response", []), recorder]}
    try:
        yield recorder
    finally:
        client.event_hooks = hooks


def get_paths(document: Mapping[str, Any]) -> list[str]:
    """Every GET of the document but the health probes, as path templates."""
    return sorted(
        path
        for method, path, _ in operations(dict(document))
        if method == "get"
        if not HEALTH.match(path)
    )


def json_writes(document: Document) -> Iterator[tuple[str, str, Schema]]:
    """(method, path template, body schema) of every operation that takes a JSON body."""
    for method, path, operation in operations(document):
        if (schema := _json_body_schema(operation)) is not None:
            yield method, path, schema


def fill(template: str, values: Mapping[str, str]) -> str:
    """The template with every `{name}` replaced; a name without a value is a KeyError, so a
    new route whose parameter the test does not know fails it."""
    return TEMPLATE_PARAMETER.sub(lambda match: values[match.group(1)], template)


async def read_every_get(
    client: httpx.AsyncClient,
    document: Mapping[str, Any],
    *,
    headers: Mapping[str, str],
    path_values: Mapping[str, str],
    queries: Mapping[str, Mapping[str, str]] = {},
    extra_query: Mapping[str, str] = {},
) -> dict[str, httpx.Response]:
    """Every GET of the document (health probes aside) as one user: path parameters filled from
    `path_values`, each path's own query from `queries` plus `extra_query`; by path template."""
    answers = {}
    for template in get_paths(document):
        params = {**queries.get(template, {}), **extra_query}
        answers[template] = await client.get(
            fill(template, path_values), params=params, headers=dict(headers)
        )
    return answers


def assert_nothing_exposed(
    answers: Mapping[str, httpx.Response],
    forbidden: Mapping[str, str | bytes],
    allowed_fields: frozenset[str] = frozenset(),
) -> int:
    """No answer carries a forbidden value or a hash-like field; the number of answers swept."""
    spelled = forbidden_spellings(forbidden)
    leaks = {
        label: found
        for label, answer in answers.items()
        if (found := exposures(answer, spelled, allowed_fields))
    }
    assert not leaks, leaks
    return len(answers)
