"""OpenAPI links: how a client (or a stateful test) gets from one answer to the next request."""

from typing import Any


def link(method: str, path: str, description: str | None = None, **parameters: str) -> dict:
    """A link to the operation `method path`, its parameters taken from the answer, e.g.
    `link("GET", "/api/v1/plans/{plan_id}", plan_id="$response.body#/id")`.

    By `operationRef` rather than `operationId`, so the link survives a renamed handler and the
    gateway's merged document (whose paths are the services' own).
    """
    pointer = path.replace("~", "~0").replace("/", "~1")
    found: dict[str, Any] = {
        "operationRef": f"#/paths/{pointer}/{method.lower()}",
        "parameters": parameters,
    }
    if description:
        found["description"] = description
    return found


def documented_links(status: int, **links: dict) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entry giving the `status` answer its links, by name."""
    return {status: {"links": links}}
