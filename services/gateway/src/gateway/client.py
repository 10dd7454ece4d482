"""The one pooled HTTP client the gateway talks to its upstreams with.

aiohttp rather than httpx: a proxy hop on httpx's AsyncClient cost 1.1-1.5 ms of CPU, on
aiohttp's ≈ 0.2 ms (docs/architecture.md, encode/httpx#3215).
"""

from aiohttp import ClientSession, ClientTimeout, DummyCookieJar, TCPConnector

from gateway.settings import Settings

# Below uvicorn's 5 s keep-alive timeout, so the gateway drops an idle connection before the
# upstream does and never writes a request into a socket the upstream is closing.
KEEPALIVE_SECONDS = 4.0

# Headers aiohttp would invent when the client sent none; a proxy forwards what it was given.
_NO_AUTO_HEADERS = ("Accept", "Accept-Encoding", "Content-Type", "User-Agent")


def create_upstream_session(settings: Settings, *, streams: bool = False) -> ClientSession:
    """Keep-alive pool and time limits from settings (`ProxyMiddleware` writes the trace
    context into each call). `streams`: the pool for event streams (requests that accept
    `text/event-stream`), which hold their connection as long as they are open: up to
    `upstream_stream_limit` of them, apart from the pool of ordinary requests, which they must
    never drain."""
    connector = TCPConnector(
        limit=settings.upstream_stream_limit if streams else settings.upstream_pool_size,
        limit_per_host=0,
        keepalive_timeout=KEEPALIVE_SECONDS,
        ttl_dns_cache=60,
    )
    return ClientSession(
        connector=connector,
        timeout=ClientTimeout(
            total=settings.upstream_timeout_seconds,
            sock_connect=settings.upstream_connect_timeout_seconds,
        ),
        # Shared by every client of the gateway: one user's cookies must never reach another's call.
        cookie_jar=DummyCookieJar(),
        # Bodies pass through byte for byte, Content-Encoding and Content-Length included.
        auto_decompress=False,
        skip_auto_headers=_NO_AUTO_HEADERS,
        raise_for_status=False,
    )
