"""Forwarding a request to the service that owns its path, and its answer back to the client."""

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

from aiohttp import (
    ClientConnectorError,
    ClientError,
    ClientResponse,
    ClientSession,
    ClientTimeout,
    ConnectionTimeoutError,
)
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send
from yarl import URL

from gateway.errors import BadGateway, GatewayTimeout, PayloadTooLarge, ServiceUnavailable
from gateway.headers import client_response_headers, upstream_request_headers
from gateway.routing import RouteTable
from schediora_runtime.problems import ProblemError, problem_response

logger = logging.getLogger(__name__)

# Answers up to this size (every JSON answer of the API) are read whole: one send, and an upstream
# failure still becomes a problem+json. Anything bigger, or of unknown length, is streamed.
BUFFERED_RESPONSE_LIMIT = 1 << 20

EVENT_STREAM = b"text/event-stream"


@dataclass(frozen=True)
class ProxiedRoute:
    """What a proxied request has as its route: the routing prefix (a bounded label)."""

    path: str


class ProxyMiddleware:
    """Serves every path the routing table owns; any other path goes on to the gateway's own
    routes (health, docs, the 404 of an unknown path).

    A plain ASGI layer rather than a catch-all route: the proxied path is the hot one, and
    FastAPI's router and exception layers cost more per request than the forwarding itself.
    Reads the upstream session from `app.state.upstream_session` (`app.state.stream_session`
    for a request that accepts `text/event-stream`), opened in the lifespan.
    """

    def __init__(
        self, app: ASGIApp, *, routes: RouteTable, base_urls: Mapping[str, str], max_body_bytes: int
    ) -> None:
        if missing := routes.services - base_urls.keys():
            raise ValueError(f"no base URL for routed services: {sorted(missing)}")
        self.app = app
        self.routes = routes
        self.base_urls = base_urls
        self.max_body_bytes = max_body_bytes
        self._tracer = trace.get_tracer(__name__)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        owner = self.routes.owner(scope["path"]) if scope["type"] == "http" else None
        if owner is None:
            await self.app(scope, receive, send)
            return
        prefix, service = owner
        # The metrics and access log label a proxied request by the prefix that routed it.
        scope["route"] = ProxiedRoute(f"{prefix}/*")
        try:
            response = await self.forward(service, scope, receive)
        except ProblemError as exc:
            response = problem_response(exc.to_problem(), headers=exc.headers())
        except ClientDisconnect:
            return
        await response(scope, receive, send)

    async def forward(self, service: str, scope: Scope, receive: Receive) -> Response:
        body = await read_body(scope, receive, self.max_body_bytes)
        client = scope.get("client")
        headers = upstream_request_headers(
            scope["headers"], client[0] if client else None, scope["scheme"]
        )
        state = scope["app"].state
        session: ClientSession = (
            state.stream_session if accepts_event_stream(scope) else state.upstream_session
        )
        method = scope["method"]
        url = upstream_url(self.base_urls[service], scope)
        # The upstream call's client span, and its context in the upstream's headers. Written
        # here rather than by aiohttp's tracing hooks (opentelemetry-instrumentation-aiohttp-
        # client): those cost ~10 % of the gateway's CPU a request, recorded or not.
        with self._tracer.start_as_current_span(method, kind=SpanKind.CLIENT) as span:
            if span.is_recording():
                span.set_attribute("http.request.method", method)
                span.set_attribute("server.address", url.host or "")
                span.set_attribute("url.path", scope["path"])
            trace_headers: dict[str, str] = {}
            propagate.inject(trace_headers)
            if trace_headers:
                # The client's own trace headers are replaced by the gateway's span.
                headers = [h for h in headers if h[0] not in trace_headers]
                headers.extend(trace_headers.items())
            # The session's total limit, applied here rather than by aiohttp: it bounds the answer's
            # headers and body, except the body of an event stream (`relay`).
            limits = session.timeout
            try:
                async with asyncio.timeout(limits.total) as deadline:
                    upstream = await session.request(
                        method,
                        url,
                        headers=headers,
                        data=body or None,
                        allow_redirects=False,
                        timeout=ClientTimeout(total=None, sock_connect=limits.sock_connect),
                    )
            except (ClientError, TimeoutError) as exc:
                if span.is_recording():
                    span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
                raise upstream_failure(service, exc) from exc
            if span.is_recording():
                span.set_attribute("http.response.status_code", upstream.status)
                if upstream.status >= 500:
                    span.set_status(Status(StatusCode.ERROR))
        return await relay(upstream, service, method, deadline.when())


async def read_body(scope: Scope, receive: Receive, limit: int) -> bytes:
    """The whole request body, refused once it passes `limit` (announced or actually sent)."""
    announced = chunked = False
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit():
            if int(value) > limit:
                raise PayloadTooLarge(f"The request body is larger than {limit} bytes.")
            announced = int(value) > 0
        elif name == b"transfer-encoding":
            chunked = True
    # In HTTP/1.x a message with neither header has no body (RFC 9112 §6.3), so a GET need not
    # wait for one; HTTP/2 frames a body without either header.
    if not (announced or chunked) and scope.get("http_version", "1.1").startswith("1"):
        return b""
    chunks: list[bytes] = []
    size = 0
    # A chunked body announces no length, so the cap is also enforced on what arrives.
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"The request body is larger than {limit} bytes.")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def upstream_url(base_url: str, scope: Scope) -> URL:
    """The upstream URL with the client's path and query exactly as they were sent."""
    raw_path = scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path else quote(scope["path"])
    query = scope.get("query_string", b"").decode("latin-1")
    # encoded=True: yarl would otherwise re-quote the path and resolve `..` segments.
    return URL(f"{base_url}{path}?{query}" if query else f"{base_url}{path}", encoded=True)


def upstream_failure(service: str, exc: BaseException) -> ProblemError:
    """An upstream that cannot be reached is unavailable; one that is too slow, a timeout."""
    logger.warning("upstream %s failed: %r", service, exc)
    # ConnectionTimeoutError is also a TimeoutError: no connection means the service is down.
    if isinstance(exc, ClientConnectorError | ConnectionTimeoutError):
        return ServiceUnavailable(f"The {service} service is unavailable.", service=service)
    if isinstance(exc, TimeoutError):
        return GatewayTimeout(f"The {service} service did not answer in time.", service=service)
    return BadGateway(f"The {service} service sent no valid answer.", service=service)


async def relay(
    upstream: ClientResponse, service: str, method: str, deadline: float | None
) -> Response:
    """The upstream's answer for the client. An event stream (Server-Sent Events) is relayed as
    it comes, with no deadline: it stays open as long as the upstream keeps it open (its
    keep-alive comments keep it busy); every other answer must be complete by `deadline`."""
    headers = client_response_headers(upstream.raw_headers)
    length = upstream.content_length
    bodiless = method == "HEAD" or upstream.status in (204, 304)
    if is_event_stream(headers):
        return StreamedUpstreamResponse(upstream, headers, service, deadline=None)
    if not (bodiless or (length is not None and length <= BUFFERED_RESPONSE_LIMIT)):
        return StreamedUpstreamResponse(upstream, headers, service, deadline=deadline)
    try:
        async with asyncio.timeout_at(deadline):
            content = await upstream.read()
    except (ClientError, TimeoutError) as exc:
        raise upstream_failure(service, exc) from exc
    finally:
        upstream.release()
    return UpstreamResponse(upstream.status, headers, content)


class UpstreamResponse(Response):
    """The upstream's status, headers and body as they are (its Content-Length included)."""

    def __init__(self, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        self.status_code = status
        self.raw_headers = headers
        self.body = body
        self.background = None


def accepts_event_stream(scope: Scope) -> bool:
    """The client asks for an event stream (as every EventSource does)."""
    return any(name == b"accept" and EVENT_STREAM in value for name, value in scope["headers"])


def is_event_stream(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(
        name == b"content-type" and value.split(b";")[0].strip().lower() == EVENT_STREAM
        for name, value in headers
    )


class StreamedUpstreamResponse(Response):
    """Relays the upstream body chunk by chunk as each arrives (nothing is buffered), until
    `deadline` (loop time; None: none). The connection goes back to the pool after a complete
    body; when the client goes away first, or the body is cut, it is closed, so the upstream
    sees its client gone too."""

    def __init__(
        self,
        upstream: ClientResponse,
        headers: list[tuple[bytes, bytes]],
        service: str,
        *,
        deadline: float | None,
    ) -> None:
        self.status_code = upstream.status
        self.raw_headers = headers
        self.background = None
        self._upstream = upstream
        self._service = service
        self._deadline = deadline
        self._complete = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        start = {"type": "http.response.start", "status": self.status_code}
        try:
            await send({**start, "headers": self.raw_headers})
            # A client that goes away while the upstream is silent (an event stream between
            # two events) is noticed at once, not at the next chunk.
            pump = asyncio.create_task(self._pump(send))
            gone = asyncio.create_task(_client_gone(receive))
            try:
                await asyncio.wait((pump, gone), return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in (pump, gone):
                    task.cancel()
                await asyncio.gather(pump, gone, return_exceptions=True)
        except OSError:
            pass  # the client is gone
        finally:
            if self._complete:
                self._upstream.release()
            else:
                self._upstream.close()

    async def _pump(self, send: Send) -> None:
        try:
            async with asyncio.timeout_at(self._deadline):
                async for chunk in self._upstream.content.iter_any():
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            self._complete = True
        except (ClientError, TimeoutError) as exc:
            # The status line is gone already; ending without the last chunk tells the client the
            # body is cut short.
            logger.warning("upstream %s broke off its answer: %r", self._service, exc)
        except OSError:
            pass  # the client is gone


async def _client_gone(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
