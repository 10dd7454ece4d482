"""Which headers cross the gateway, in each direction.

Hop-by-hop headers describe one connection, not the message, so a proxy must not forward them
(RFC 9110 §7.6.1), nor any header the `Connection` header names.
"""

from collections.abc import Iterable, Sequence

HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-connection",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
    }
)
# The upstream gets its own Host and a Content-Length for the body as the gateway sends it; the
# gateway's server answers `100 Continue` itself.
_NOT_FORWARDED = HOP_BY_HOP | {b"host", b"content-length", b"expect"}
_REPLACED_FORWARDED = frozenset({b"x-forwarded-proto", b"x-forwarded-host"})
# The gateway's own server and request-id middleware write these; upstream copies would repeat them.
_NOT_RETURNED = HOP_BY_HOP | {b"date", b"server", b"x-request-id"}


def _connection_tokens(headers: Sequence[tuple[bytes, bytes]]) -> set[bytes]:
    return {
        token.strip().lower()
        for name, value in headers
        if name.lower() == b"connection"
        for token in value.split(b",")
    }


def upstream_request_headers(
    headers: Sequence[tuple[bytes, bytes]], client_host: str | None, scheme: str
) -> list[tuple[str, str]]:
    """The client's end-to-end headers plus `X-Forwarded-For/Proto/Host`."""
    dropped = _NOT_FORWARDED | _REPLACED_FORWARDED | _connection_tokens(headers)
    forwarded: list[tuple[str, str]] = []
    chain: list[str] = []
    host = ""
    for raw_name, raw_value in headers:
        name = raw_name.lower()
        if name == b"host":
            host = raw_value.decode("latin-1")
        if name == b"x-forwarded-for":
            chain.append(raw_value.decode("latin-1"))
        elif name not in dropped:
            forwarded.append((name.decode("latin-1"), raw_value.decode("latin-1")))
    if client_host:
        # Appended, as nginx's $proxy_add_x_forwarded_for does: earlier hops stay visible.
        chain.append(client_host)
    if chain:
        forwarded.append(("x-forwarded-for", ", ".join(chain)))
    forwarded.append(("x-forwarded-proto", scheme))
    if host:
        forwarded.append(("x-forwarded-host", host))
    return forwarded


def client_response_headers(headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The upstream's end-to-end response headers, names lowercased as ASGI expects."""
    pairs = [(name.lower(), value) for name, value in headers]
    dropped = _NOT_RETURNED | _connection_tokens(pairs)
    return [(name, value) for name, value in pairs if name not in dropped]
