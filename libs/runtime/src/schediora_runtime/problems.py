"""RFC 9457 problem+json for every error a service answers, and strict request models."""

import logging
import re
from http import HTTPStatus
from typing import Any

from asgi_correlation_id import correlation_id
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError
from starlette.exceptions import HTTPException as StarletteHTTPException

from schediora_contracts.problems import PROBLEM_MEDIA_TYPE, Problem, ProblemFieldError
from schediora_runtime import json_scalars
from schediora_runtime.storable import ERROR_TYPE, unstorable_text

logger = logging.getLogger(__name__)

PROBLEM_TYPE_BASE = "https://schediora.app/problems/"


class StrictModel(BaseModel):
    """Base for request bodies: an unknown field is a 422, never silently dropped, and so is
    text PostgreSQL cannot store anywhere in the body (storable.py), nested models included, and
    a number, boolean, date, time or UUID sent as another JSON type (json_scalars.py)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    @model_validator(mode="before")
    @classmethod
    def _refuse_unstorable_text(cls, data: Any) -> Any:
        errors = [
            InitErrorDetails(
                type=PydanticCustomError(ERROR_TYPE, message), loc=location, input=data
            )
            for location, message in unstorable_text(data)
        ]
        errors += [
            InitErrorDetails(
                type=PydanticCustomError(json_scalars.ERROR_TYPE, message),
                loc=location,
                input=data,
            )
            for location, message in json_scalars.mistyped_scalars(cls.model_fields, data)
        ]
        if errors:
            # Raised from a validator, a ValidationError keeps each error's own location.
            raise ValidationError.from_exception_data(cls.__name__, errors)
        return data


class ProblemError(Exception):
    """A failure the client can act on. Subclass per case with a fixed `status` and `code`."""

    status: int = 400
    code: str = "bad_request"
    title: str | None = None

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.code)
        self.detail = detail
        self.extra = extra

    def headers(self) -> dict[str, str] | None:
        """Response headers that belong to this problem (e.g. `Retry-After`, `WWW-Authenticate`)."""
        return None

    def to_problem(self) -> Problem:
        return Problem(
            type=PROBLEM_TYPE_BASE + self.code,
            title=self.title or HTTPStatus(self.status).phrase,
            status=self.status,
            detail=self.detail,
            code=self.code,
            **self.extra,
        )


class NotFound(ProblemError):
    status = 404
    code = "not_found"


class TooManyRequests(ProblemError):
    """A rate limit refused the request: 429 with `Retry-After` in whole seconds (RFC 6585 §4)."""

    status = 429
    code = "too_many_requests"
    title = "Too many requests"

    def __init__(
        self, retry_after_seconds: int, detail: str = "Too many requests; try again later."
    ) -> None:
        super().__init__(detail)
        self.retry_after_seconds = max(1, retry_after_seconds)

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_seconds)}


class Conflict(ProblemError):
    status = 409
    code = "conflict"


_HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
    500: "internal_error",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "gateway_timeout",
}


PROBLEM_SCHEMA_REF = "#/components/schemas/Problem"


def documented_problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for a route's error answers, as the problem documents they are
    (`install_problem_handlers` puts the `Problem` schema into the app's document)."""
    return {
        status: {
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": PROBLEM_SCHEMA_REF}}},
        }
        for status in statuses
    }


def _problem_schemas() -> dict[str, Any]:
    schema = Problem.model_json_schema(
        ref_template="#/components/schemas/{model}", mode="serialization"
    )
    return {**schema.pop("$defs", {}), "Problem": schema}


def _document_problem_schema(app: FastAPI) -> None:
    """Add `Problem` (and what it refers to) to the components of the app's OpenAPI document."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        document = generate()
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        for name, schema in _problem_schemas().items():
            schemas.setdefault(name, schema)
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    body = problem.body()
    if request_id := correlation_id.get():
        body.setdefault("request_id", request_id)
    return JSONResponse(
        body, status_code=problem.status, media_type=PROBLEM_MEDIA_TYPE, headers=headers
    )


def status_problem(status: int, detail: str | None = None, code: str | None = None) -> Problem:
    """The generic problem for a bare HTTP status."""
    code = code or _STATUS_CODES.get(status, "error")
    return Problem(
        type=PROBLEM_TYPE_BASE + code,
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        code=code,
    )


def _field_errors(exc: RequestValidationError) -> list[ProblemFieldError]:
    return [
        ProblemFieldError(
            loc=[str(p) if not isinstance(p, int) else p for p in e["loc"]], msg=e["msg"]
        )
        for e in exc.errors()
    ]


async def _on_problem_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(exc.to_problem(), headers=exc.headers())


async def _on_validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problem = status_problem(422, "The request is not valid.", "validation_error")
    problem.errors = _field_errors(exc)
    return problem_response(problem)


def _unreadable_body(exc: StarletteHTTPException) -> bool:
    """FastAPI's 400 for a body it could not decode (not UTF-8, not JSON, nested too deep)."""
    return exc.status_code == 400 and isinstance(exc.__cause__, ValueError | RecursionError)


_TEMPLATE_PARAMETER = re.compile(r"(\{[^}]*\})")


def _allowed_methods(request: Request) -> str:
    """Every method the app documents for the request's path. Starlette's 405 names only the
    first route whose path matched (`Allow: GET` for a path that also takes POST); RFC 9110
    (15.5.6) wants all of them. Read from the OpenAPI document (built once per app), so routes
    included through routers count alike."""
    methods: set[str] = set()
    for template, operations in request.app.openapi().get("paths", {}).items():
        parts = _TEMPLATE_PARAMETER.split(template)  # the parameters at the odd places
        pattern = "".join("[^/]+" if n % 2 else re.escape(part) for n, part in enumerate(parts))
        if re.fullmatch(pattern, request.url.path):
            methods |= {method.upper() for method in operations if method in _HTTP_METHODS}
    return ", ".join(sorted(methods))


async def _on_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if _unreadable_body(exc):
        # A malformed body is a validation error like any other (API contract), not a 400.
        problem = status_problem(422, "The request is not valid.", "validation_error")
        problem.errors = [ProblemFieldError(loc=["body"], msg="The body is not JSON in UTF-8.")]
        return problem_response(problem)
    detail = exc.detail if isinstance(exc.detail, str) else None
    headers = exc.headers
    if exc.status_code == 405 and (allowed := _allowed_methods(request)):
        headers = {**(headers or {}), "Allow": allowed}
    return problem_response(status_problem(exc.status_code, detail), headers=headers)


async def _on_unhandled(_: Request, exc: Exception) -> JSONResponse:
    # The client gets a generic body with the request id; the stack trace stays in the log.
    logger.exception("unhandled error", exc_info=exc)
    return problem_response(status_problem(500, "An unexpected error occurred."))


def install_problem_handlers(app: FastAPI) -> None:
    """Every error answered as problem+json, and the `Problem` schema in the OpenAPI document."""
    _document_problem_schema(app)
    app.add_exception_handler(ProblemError, _on_problem_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_exception)
    app.add_exception_handler(Exception, _on_unhandled)
