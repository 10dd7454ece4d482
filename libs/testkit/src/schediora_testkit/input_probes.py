"""Test support: hostile requests built from a service's own OpenAPI document.

Not imported by service code. `text_fields` finds every string a request can carry (body
fields at any depth, query, path and header parameters); `probe_text_fields` sends each one a
character PostgreSQL cannot store and reports every answer that is not a `422 validation_error`
naming that field; `probe_unreadable_bodies` sends every operation that takes a JSON body bytes
that are not UTF-8 or not JSON. Each also reports a table of the service whose row count grew.
"""

import json
import re
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx
from sqlalchemy import func, select, table, text
from sqlalchemy.ext.asyncio import AsyncEngine

PROBLEM_MEDIA_TYPE = "application/problem+json"
METHODS = ("get", "put", "post", "delete", "patch")
NUL = "\x00"
LONE_SURROGATE = "\ud800"

Document = dict[str, Any]
Schema = dict[str, Any]


@dataclass(frozen=True)
class TextField:
    """A string a request can carry: `where` is body, query, path or header; `loc` its place."""

    method: str
    path: str
    where: str
    loc: tuple[str | int, ...]

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path} {'.'.join(map(str, (self.where, *self.loc)))}"


def _resolve(document: Document, schema: Schema) -> Schema:
    while "$ref" in schema:
        node: Any = document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        schema = node
    return schema


def _branches(document: Document, schema: Schema) -> list[Schema]:
    schema = _resolve(document, schema)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return [b for branch in schema[key] for b in _branches(document, branch)]
    return [schema]


def _string_locations(
    document: Document, schema: Schema, loc: tuple[str | int, ...] = (), depth: int = 0
) -> Iterator[tuple[str | int, ...]]:
    if depth > 8:
        return
    for branch in _branches(document, schema):
        kind = branch.get("type")
        if kind == "string":
            yield loc
        elif kind == "array" and "items" in branch:
            yield from _string_locations(document, branch["items"], (*loc, 0), depth + 1)
        elif kind == "object" or "properties" in branch:
            for name, child in branch.get("properties", {}).items():
                yield from _string_locations(document, child, (*loc, name), depth + 1)


def _json_body_schema(operation: Mapping[str, Any]) -> Schema | None:
    content = operation.get("requestBody", {}).get("content", {})
    media = content.get("application/json")
    return media.get("schema") if media else None


def operations(document: Document) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                yield method, path, item[method]


def text_fields(document: Document) -> list[TextField]:
    """Every string field and parameter of every operation, each once."""
    found: dict[TextField, None] = {}
    for method, path, operation in operations(document):
        for parameter in operation.get("parameters", []):
            parameter = _resolve(document, parameter)
            if any(b.get("type") == "string" for b in _branches(document, parameter["schema"])):
                found[TextField(method, path, parameter["in"], (parameter["name"],))] = None
        if (schema := _json_body_schema(operation)) is not None:
            for loc in _string_locations(document, schema):
                found[TextField(method, path, "body", loc)] = None
    return list(found)


def minimal_instance(document: Document, schema: Schema, depth: int = 0) -> Any:
    """A value with the required parts of `schema`, valid where that is easy to tell."""
    schema = _branches(document, schema)[0]
    if "examples" in schema:
        return schema["examples"][0]
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > 8:
            return {}
        return {
            name: minimal_instance(document, schema["properties"][name], depth + 1)
            for name in schema.get("required", [])
            if name in schema.get("properties", {})
        }
    if kind == "array":
        return []
    if kind == "integer" or kind == "number":
        return schema.get("minimum", schema.get("exclusiveMinimum", 0) + 1)
    if kind == "boolean":
        return False
    formats = {
        "uuid": str(uuid.uuid4()),
        "date": datetime.now(UTC).date().isoformat(),
        "date-time": datetime.now(UTC).isoformat(),
        "email": f"probe.{uuid.uuid4().hex[:8]}@example.com",
    }
    return formats.get(schema.get("format", ""), "probe")


def _with_text_at(value: Any, loc: tuple[str | int, ...], bad: str) -> Any:
    """`value` with the string at `loc` (made if missing) holding `bad` in its middle."""
    if not loc:
        base = value if isinstance(value, str) and value else "probe text"
        middle = len(base) // 2
        return base[:middle] + bad + base[middle:]
    step, rest = loc[0], loc[1:]
    if isinstance(step, int):
        items = list(value) if isinstance(value, list) else []
        current = items[0] if items else None
        return [_with_text_at(current, rest, bad), *items[1:]]
    mapping = dict(value) if isinstance(value, dict) else {}
    mapping[step] = _with_text_at(mapping.get(step), rest, bad)
    return mapping


def hostile_request(
    client: httpx.AsyncClient,
    document: Document,
    field: TextField,
    bad: str,
    headers: Mapping[str, str],
) -> httpx.Request:
    """The request of `field`'s operation with `bad` in that field, everything else plausible."""
    operation = document["paths"][field.path][field.method]
    path_values: dict[str, str] = {}
    query: dict[str, str] = {}
    sent_headers = dict(headers)
    for parameter in operation.get("parameters", []):
        parameter = _resolve(document, parameter)
        if parameter["in"] == "path":
            path_values[parameter["name"]] = str(uuid.uuid4())
    value = _with_text_at(None, (), bad)
    target = field.loc[0]
    if field.where == "path":
        path_values[str(target)] = value
    elif field.where == "query":
        query[str(target)] = value
    elif field.where == "header":
        sent_headers[str(target)] = value
    url = field.path
    for name, raw in path_values.items():
        url = url.replace("{" + name + "}", quote(raw, safe=""))
    content = None
    if (schema := _json_body_schema(operation)) is not None:
        body = minimal_instance(document, schema)
        if field.where == "body":
            body = _with_text_at(body, field.loc, bad)
        # json.dumps escapes every non-ASCII character, so a lone surrogate travels as `\ud800`.
        content = json.dumps(body).encode()
        sent_headers["Content-Type"] = "application/json"
    return client.build_request(
        field.method.upper(), url, params=query, headers=sent_headers, content=content
    )


async def row_counts(engine: AsyncEngine, schema: str) -> dict[str, int]:
    """Rows per table of a service's schema."""
    async with engine.connect() as conn:
        names = await conn.scalars(
            text(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = :schema AND table_type = 'BASE TABLE'"
            ),
            {"schema": schema},
        )
        counts = {}
        for name in names.all():
            rows = select(func.count()).select_from(table(name, schema=schema))
            counts[name] = await conn.scalar(rows)
        return counts


def grown(before: Mapping[str, int], after: Mapping[str, int]) -> list[str]:
    return [
        f"{table}: {before.get(table, 0)} -> {count} rows"
        for table, count in after.items()
        if count > before.get(table, 0)
    ]


def problem_failure(
    response: httpx.Response, loc: list[str | int] | None, message_part: str | None
) -> str | None:
    """Why `response` is not a `422 validation_error` naming `loc` (None: it is)."""
    if response.status_code != 422:
        return f"answered {response.status_code}: {response.text[:200]}"
    if response.headers.get("content-type") != PROBLEM_MEDIA_TYPE:
        return f"answered as {response.headers.get('content-type')}"
    body = response.json()
    if body.get("code") != "validation_error":
        return f"answered code {body.get('code')}"
    if loc is None:
        return None

    def same(left: list[Any], right: list[Any]) -> bool:
        # Header names are case-insensitive.
        return [str(p).lower() for p in left] == [str(p).lower() for p in right]

    for error in body.get("errors", []):
        if same(error["loc"], loc) and (message_part is None or message_part in error["msg"]):
            return None
    return f"no error at {loc} saying {message_part!r}: {body.get('errors')}"


async def probe_text_fields(
    client: httpx.AsyncClient,
    document: Document,
    *,
    headers: Mapping[str, str],
    engine: AsyncEngine,
    schema: str,
) -> tuple[int, list[str]]:
    """(requests sent, failures): NUL in every string field and parameter, and a lone surrogate
    in every body field (a URL or a header cannot carry one)."""
    fields = text_fields(document)
    before = await row_counts(engine, schema)
    failures = []
    sent = 0
    for field in fields:
        for bad in (NUL, LONE_SURROGATE) if field.where == "body" else (NUL,):
            response = await client.send(hostile_request(client, document, field, bad, headers))
            sent += 1
            expected = f"U+{ord(bad):04X}"
            if why := problem_failure(response, [field.where, *field.loc], expected):
                failures.append(f"{field} with {expected}: {why}")
    failures += grown(before, await row_counts(engine, schema))
    return sent, failures


UNREADABLE_BODIES = {
    "invalid UTF-8": b'{"name": "caf\xe9"}',
    "binary, not JSON": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe",
    "text, not JSON": b"name=Maths",
}


async def probe_unreadable_bodies(
    client: httpx.AsyncClient,
    document: Document,
    *,
    headers: Mapping[str, str],
    engine: AsyncEngine,
    schema: str,
) -> tuple[int, list[str]]:
    """(requests sent, failures): every operation with a JSON body, sent bytes it cannot read,
    must answer `422 validation_error`."""
    before = await row_counts(engine, schema)
    failures = []
    sent = 0
    for method, path, operation in operations(document):
        if _json_body_schema(operation) is None:
            continue
        url = path
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "path":
                url = url.replace("{" + parameter["name"] + "}", str(uuid.uuid4()))
        for label, content in UNREADABLE_BODIES.items():
            response = await client.request(
                method.upper(),
                url,
                content=content,
                headers={**headers, "Content-Type": "application/json"},
            )
            sent += 1
            if why := problem_failure(response, None, None):
                failures.append(f"{method.upper()} {path} with {label}: {why}")
    failures += grown(before, await row_counts(engine, schema))
    return sent, failures


async def assert_refuses_hostile_input(
    client: httpx.AsyncClient,
    app: Any,
    *,
    headers: Mapping[str, str],
    schema: str,
    reaches: set[str],
) -> None:
    """A service's whole hostile-input check: NUL and lone surrogates in every text field, and
    unreadable bytes as every JSON body, each a `422 validation_error` with nothing written.
    `reaches` names fields the walk must find (nested models, lists, query, path, header), so a
    walk that silently finds less fails."""
    document = app.openapi()
    engine = app.state.runtime.engine
    fields = {str(field) for field in text_fields(document)}
    assert reaches <= fields, sorted(reaches - fields)
    sent, failures = await probe_text_fields(
        client, document, headers=headers, engine=engine, schema=schema
    )
    assert sent >= len(fields)
    assert not failures, "\n".join(failures)
    bodies = sum(1 for *_, op in operations(document) if _json_body_schema(op) is not None)
    sent, failures = await probe_unreadable_bodies(
        client, document, headers=headers, engine=engine, schema=schema
    )
    assert bodies > 0
    assert sent == bodies * len(UNREADABLE_BODIES)
    assert not failures, "\n".join(failures)


# Fields a client must never set (mass assignment): each with a value it might try.
FORBIDDEN_FIELDS: dict[str, Any] = {
    "id": "00000000-0000-4000-8000-000000000001",
    "user_id": "00000000-0000-4000-8000-000000000002",
    "owner_id": "00000000-0000-4000-8000-000000000003",
    "status": "completed",
    "created_at": "2020-01-01T00:00:00Z",
    "role": "admin",
    "is_admin": True,
}


def _body_fields(document: Document, schema: Schema) -> set[str]:
    return {name for branch in _branches(document, schema) for name in branch.get("properties", {})}


async def probe_forbidden_fields(
    client: httpx.AsyncClient,
    document: Document,
    *,
    headers: Mapping[str, str],
    engine: AsyncEngine,
    schema: str,
) -> tuple[int, list[str], list[str]]:
    """(requests sent, failures, fields a body does take): every JSON body of the document, made
    plausible, with each of `FORBIDDEN_FIELDS` added that its schema does not declare, must
    answer a `422 validation_error` naming that field, and nothing may be written. A field the
    schema declares (a session's `status` is the student's to set) is reported, not sent."""
    before = await row_counts(engine, schema)
    failures: list[str] = []
    declared: list[str] = []
    sent = 0
    for method, path, operation in operations(document):
        if (body_schema := _json_body_schema(operation)) is None:
            continue
        url = path
        for parameter in operation.get("parameters", []):
            if _resolve(document, parameter).get("in") == "path":
                url = url.replace("{" + parameter["name"] + "}", str(uuid.uuid4()))
        known = _body_fields(document, body_schema)
        base = minimal_instance(document, body_schema)
        for field, value in FORBIDDEN_FIELDS.items():
            if field in known:
                declared.append(f"{method.upper()} {path} {field}")
                continue
            response = await client.request(
                method.upper(), url, json={**base, field: value}, headers=headers
            )
            sent += 1
            if why := problem_failure(response, ["body", field], None):
                failures.append(f"{method.upper()} {path} with {field}: {why}")
    failures += grown(before, await row_counts(engine, schema))
    return sent, failures, declared


async def assert_refuses_forbidden_fields(
    client: httpx.AsyncClient,
    app: Any,
    *,
    headers: Mapping[str, str],
    schema: str,
    declared: list[str],
) -> tuple[int, int]:
    """A service's whole mass-assignment check (`probe_forbidden_fields`) over every JSON body
    of its OpenAPI document; `declared` lists the forbidden-looking fields a body does take.
    (JSON bodies, requests) for the figures."""
    document = app.openapi()
    bodies = sum(1 for *_, op in operations(document) if _json_body_schema(op) is not None)
    sent, failures, found = await probe_forbidden_fields(
        client, document, headers=headers, engine=app.state.runtime.engine, schema=schema
    )
    assert not failures, "\n".join(failures)
    assert found == declared
    assert sent + len(found) == bodies * len(FORBIDDEN_FIELDS)
    return bodies, sent


# Page sizes a client might ask for, and whether each must be refused: the cap is 100 a page.
PAGE_SIZES = {0: True, 100: False, 101: True, 10_000: True}


async def probe_page_sizes(
    client: httpx.AsyncClient, document: Document, *, headers: Mapping[str, str]
) -> tuple[list[str], list[str]]:
    """(operations probed, failures): every operation with a `limit` query parameter, asked
    for each of `PAGE_SIZES`, must refuse a size outside 1..100 with a `422 validation_error`
    naming `limit`, and answer 100 with a page of at most 100 items."""
    probed, failures = [], []
    for method, path, operation in operations(document):
        names = {_resolve(document, p)["name"] for p in operation.get("parameters", [])}
        if "limit" not in names:
            continue
        probed.append(f"{method.upper()} {path}")
        url = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
        for size, refused in PAGE_SIZES.items():
            response = await client.request(
                method.upper(), url, params={"limit": size}, headers=headers
            )
            if refused:
                if why := problem_failure(response, ["query", "limit"], None):
                    failures.append(f"{method.upper()} {path} limit={size}: {why}")
            elif response.status_code != 200 or len(response.json()["items"]) > size:
                failures.append(f"{method.upper()} {path} limit={size}: {response.text[:200]}")
    return probed, failures
