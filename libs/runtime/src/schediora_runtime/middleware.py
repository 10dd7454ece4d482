"""The one ASGI layer every service and the gateway put around their app: the request id and
the request's server span, in a single pass over the headers and one wrapped `send`.

It replaces asgi-correlation-id's middleware and the OpenTelemetry FastAPI instrumentation
(two layers, each wrapping send and receive, plus the instrumentation's own exception layer
and metrics); together they cost ~1 ms of CPU a request for what this does in ~0.1 ms.
"""

import logging
from uuid import uuid4

from asgi_correlation_id import correlation_id
from opentelemetry import propagate, trace
from opentelemetry.propagators.textmap import Getter
from opentelemetry.trace import SpanKind, Status, StatusCode
from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from schediora_runtime.request_ids import REQUEST_ID_HEADER, accept_request_id

logger = logging.getLogger(__name__)

_HEADER = REQUEST_ID_HEADER.lower().encode("latin-1")
_UNTRACED_SUFFIXES = ("/health/live", "/health/ready")
"""Probes run every few seconds; a span each would drown the traces that matter."""


class _ScopeHeaders(Getter[list[tuple[bytes, bytes]]]):
    """Reads trace context headers (`traceparent`, `tracestate`, `baggage`) off an ASGI scope."""

    def get(self, carrier: list[tuple[bytes, bytes]], key: str) -> list[str] | None:
        name = key.lower().encode("latin-1")
        values = [value.decode("latin-1") for header, value in carrier if header == name]
        return values or None

    def keys(self, carrier: list[tuple[bytes, bytes]]) -> list[str]:
        return [header.decode("latin-1") for header, _ in carrier]


_GETTER = _ScopeHeaders()


class RequestContextMiddleware:
    """Echoes or generates `X-Request-ID` (also written into the request's headers, so a proxy
    forwards it) and sets it for the logs; continues the caller's trace in a server span named
    `<METHOD> <route>`, recorded only when the tracer provider samples it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._tracer = trace.get_tracer(__name__)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope["headers"]
        if not isinstance(headers, list):
            headers = scope["headers"] = list(headers)
        request_id = _request_id(headers)
        # Never reset: each request runs in a task of its own, and the 500 answer of an
        # unexpected error (outside this layer) still names the request.
        correlation_id.set(request_id)
        encoded_id = request_id.encode("latin-1")

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), (_HEADER, encoded_id)]
            await send(message)

        if scope["path"].endswith(_UNTRACED_SUFFIXES):
            await self.app(scope, receive, send_with_id)
            return
        await self._traced(scope, receive, send_with_id)

    async def _traced(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        context = propagate.extract(scope["headers"], getter=_GETTER)
        with self._tracer.start_as_current_span(
            method, context=context, kind=SpanKind.SERVER
        ) as span:
            if not span.is_recording():
                await self.app(scope, receive, send)
                return
            span.set_attribute("http.request.method", method)
            span.set_attribute("url.path", scope["path"])

            async def send_recording_status(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status = message["status"]
                    span.set_attribute("http.response.status_code", status)
                    if status >= 500:
                        span.set_status(Status(StatusCode.ERROR))
                await send(message)

            try:
                await self.app(scope, receive, send_recording_status)
            finally:
                if (route := getattr(scope.get("route"), "path", None)) is not None:
                    span.set_attribute("http.route", route)
                    span.update_name(f"{method} {route}")


def _request_id(headers: list[tuple[bytes, bytes]]) -> str:
    """The client's id when it is a short token (docs/api.md); a new one otherwise, then also
    written into the request's headers. Anything else could forge log lines."""
    for index, (name, value) in enumerate(headers):
        if name == _HEADER:
            sent = value.decode("latin-1")
            if accept_request_id(sent):
                return sent
            logger.warning("replaced an unacceptable request id")
            generated = uuid4().hex
            headers[index] = (_HEADER, generated.encode("latin-1"))
            return generated
    generated = uuid4().hex
    headers.append((_HEADER, generated.encode("latin-1")))
    return generated


def install_request_context(app: Starlette) -> None:
    """Add the request id and tracing layer; call it last, so it is the outermost middleware
    and its id is on every answer, CORS preflights included."""
    app.add_middleware(RequestContextMiddleware)
