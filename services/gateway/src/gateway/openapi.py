"""The API's one OpenAPI document, merged from the documents of the services behind the gateway."""

import asyncio
import copy
import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

from schediora_runtime.problems import documented_problems

logger = logging.getLogger(__name__)

DOCUMENT_TIMEOUT_SECONDS = 5.0
_COMPONENTS = "#/components/"

Document = dict[str, Any]
# Per components section ("schemas", "securitySchemes", ...): old name → new name.
Renames = dict[str, dict[str, str]]


def merge_openapi(
    base: Document,
    documents: Mapping[str, Document],
    owner: Callable[[str], str | None],
    unavailable: Sequence[str] = (),
) -> Document:
    """`base` plus, from each service's document, the paths `owner` gives to that service and
    the components those paths use. A component whose name another service already uses for
    something different is renamed `<Service><Name>`, and its references follow it."""
    merged = copy.deepcopy(base)
    paths = merged.setdefault("paths", {})
    components = merged.setdefault("components", {})
    for service, document in documents.items():
        owned = {
            path: item for path, item in document.get("paths", {}).items() if owner(path) == service
        }
        used = _used_components(document.get("components", {}), owned)
        renames = _renames(service, components, used)
        for section, entries in used.items():
            target = components.setdefault(section, {})
            for name, value in entries.items():
                target[renames[section].get(name, name)] = _rewrite(value, renames)
        paths.update(_rewrite(owned, renames))
        _merge_tags(merged, document.get("tags", []))
    if not components:
        del merged["components"]
    if unavailable:
        merged["x-unavailable"] = list(unavailable)
    return merged


def with_gateway_problems(document: Document) -> Document:
    """The document with what the gateway itself answers on a proxied operation: `413` for a
    body over its limit, on every operation that takes a body."""
    too_large = {str(status): answer for status, answer in documented_problems(413).items()}
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                responses = operation.setdefault("responses", {})
                for status, answer in too_large.items():
                    responses.setdefault(status, copy.deepcopy(answer))
    return document


def _transform(node: Any, ref: Callable[[str], str], scheme: Callable[[str], str]) -> Any:
    """A copy of `node` with every component reference passed through `ref`, and every security
    requirement's scheme name (a key, not a `$ref`) through `scheme`."""
    if isinstance(node, list):
        return [_transform(item, ref, scheme) for item in node]
    if not isinstance(node, dict):
        return node
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str) and value.startswith(_COMPONENTS):
            result[key] = ref(value)
        elif key == "mapping" and isinstance(value, dict):
            # A discriminator's mapping names schemas by reference too.
            result[key] = {
                tag: ref(target)
                if isinstance(target, str) and target.startswith(_COMPONENTS)
                else _transform(target, ref, scheme)
                for tag, target in value.items()
            }
        elif key == "security" and isinstance(value, list):
            result[key] = [
                {scheme(name): scopes for name, scopes in requirement.items()}
                if isinstance(requirement, dict)
                else requirement
                for requirement in value
            ]
        else:
            result[key] = _transform(value, ref, scheme)
    return result


def _split_ref(ref: str) -> tuple[str, str]:
    section, _, name = ref.removeprefix(_COMPONENTS).partition("/")
    return section, name


def _rewrite(node: Any, renames: Renames) -> Any:
    def ref(value: str) -> str:
        section, name = _split_ref(value)
        return f"{_COMPONENTS}{section}/{renames.get(section, {}).get(name, name)}"

    def scheme(name: str) -> str:
        return renames.get("securitySchemes", {}).get(name, name)

    return _transform(node, ref, scheme)


def _references(node: Any) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []

    def ref(value: str) -> str:
        found.append(_split_ref(value))
        return value

    def scheme(name: str) -> str:
        found.append(("securitySchemes", name))
        return name

    _transform(node, ref, scheme)
    return found


def _used_components(components: Mapping[str, Any], roots: Any) -> dict[str, dict[str, Any]]:
    """The components reachable from `roots`: a service's schemas for its health checks or for
    paths routed elsewhere stay out of the API's document."""
    used: dict[str, dict[str, Any]] = {}
    pending = _references(roots)
    while pending:
        section, name = pending.pop()
        if name in used.get(section, {}):
            continue
        value = components.get(section, {}).get(name)
        if value is None:
            continue
        used.setdefault(section, {})[name] = value
        pending.extend(_references(value))
    return used


def _renames(
    service: str,
    existing: Mapping[str, Mapping[str, Any]],
    incoming: Mapping[str, Mapping[str, Any]],
) -> Renames:
    """Which incoming components must take a new name.

    Repeated until nothing changes: renaming one schema changes the schemas that refer to it,
    which may then differ from their namesakes as well.
    """
    renames: Renames = {section: {} for section in incoming}
    changed = True
    while changed:
        changed = False
        for section, entries in incoming.items():
            taken = existing.get(section, {})
            for name, value in entries.items():
                if name in renames[section] or name not in taken:
                    continue
                if _rewrite(value, renames) != taken[name]:
                    renames[section][name] = _free_name(
                        service, name, taken, entries, renames[section].values()
                    )
                    changed = True
    return renames


def _free_name(service: str, name: str, *used: Collection[str]) -> str:
    base = f"{service[:1].upper()}{service[1:]}{name}"
    candidate, number = base, 2
    while any(candidate in names for names in used):
        candidate, number = f"{base}{number}", number + 1
    return candidate


def _merge_tags(merged: Document, tags: Sequence[Mapping[str, Any]]) -> None:
    known = {tag.get("name") for tag in merged.get("tags", [])}
    new = [dict(tag) for tag in tags if tag.get("name") not in known]
    if new:
        merged.setdefault("tags", []).extend(new)


async def _fetch(
    session: ClientSession, service: str, base_url: str, time_limit: float
) -> Document | None:
    try:
        async with session.get(
            f"{base_url}/openapi.json", timeout=ClientTimeout(total=time_limit)
        ) as response:
            if response.status == 200:
                document = await response.json(content_type=None)
                if isinstance(document, dict):
                    return document
            logger.warning("openapi document of %s: answered %s", service, response.status)
    except (ClientError, TimeoutError, ValueError) as exc:
        logger.warning("openapi document of %s unavailable: %r", service, exc)
    return None


async def fetch_documents(
    session: ClientSession, base_urls: Mapping[str, str], time_limit: float
) -> tuple[dict[str, Document], list[str]]:
    """Each service's document, fetched at once, and the names of the services that gave none."""
    results = await asyncio.gather(
        *(_fetch(session, service, url, time_limit) for service, url in base_urls.items())
    )
    documents = {
        service: document
        for service, document in zip(base_urls, results, strict=True)
        if document is not None
    }
    return documents, [service for service in base_urls if service not in documents]


def openapi_router(owner: Callable[[str], str | None], prefix: str = "/api/v1") -> APIRouter:
    """`{prefix}/openapi.json` (the merged document) and `{prefix}/docs` (Swagger UI for it)."""
    router = APIRouter(prefix=prefix, include_in_schema=False)

    @router.get("/openapi.json")
    async def openapi(request: Request) -> JSONResponse:
        settings = request.app.state.settings
        documents, unavailable = await fetch_documents(
            request.app.state.upstream_session,
            settings.upstreams,
            min(DOCUMENT_TIMEOUT_SECONDS, settings.upstream_timeout_seconds),
        )
        # The gateway's own document (its health endpoints) is the base the services join.
        merged = merge_openapi(request.app.openapi(), documents, owner, unavailable)
        return JSONResponse(with_gateway_problems(merged))

    @router.get("/docs")
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=f"{prefix}/openapi.json", title="Schediora API")

    return router
