"""Which headers cross the gateway, in each direction."""

from gateway.headers import client_response_headers, upstream_request_headers


def _names(pairs):
    return [name for name, _ in pairs]


def test_hop_by_hop_and_connection_named_headers_are_not_forwarded():
    forwarded = upstream_request_headers(
        [
            (b"Host", b"api.schediora.app"),
            (b"Connection", b"keep-alive, X-Private"),
            (b"X-Private", b"1"),
            (b"Transfer-Encoding", b"chunked"),
            (b"Content-Length", b"12"),
            (b"Upgrade", b"h2c"),
            (b"Authorization", b"Bearer t"),
            (b"Accept", b"application/json"),
        ],
        "203.0.113.7",
        "https",
    )

    assert forwarded == [
        ("authorization", "Bearer t"),
        ("accept", "application/json"),
        ("x-forwarded-for", "203.0.113.7"),
        ("x-forwarded-proto", "https"),
        ("x-forwarded-host", "api.schediora.app"),
    ]


def test_the_forwarded_for_chain_is_extended_and_proto_and_host_are_replaced():
    forwarded = dict(
        upstream_request_headers(
            [
                (b"x-forwarded-for", b"198.51.100.1"),
                (b"x-forwarded-for", b"198.51.100.2"),
                (b"x-forwarded-proto", b"ftp"),
                (b"x-forwarded-host", b"forged.example"),
            ],
            "10.0.0.5",
            "http",
        )
    )

    assert forwarded["x-forwarded-for"] == "198.51.100.1, 198.51.100.2, 10.0.0.5"
    assert forwarded["x-forwarded-proto"] == "http"
    assert "x-forwarded-host" not in forwarded


def test_a_request_without_a_client_address_keeps_the_chain_it_came_with():
    forwarded = upstream_request_headers([], None, "http")

    assert forwarded == [("x-forwarded-proto", "http")]


def test_repeated_request_headers_are_all_forwarded():
    forwarded = upstream_request_headers([(b"cookie", b"a=1"), (b"cookie", b"b=2")], None, "http")

    assert forwarded[:2] == [("cookie", "a=1"), ("cookie", "b=2")]


def test_response_headers_lose_hop_by_hop_and_server_written_ones():
    returned = client_response_headers(
        [
            (b"Content-Type", b"application/json"),
            (b"Content-Length", b"2"),
            (b"Connection", b"close, X-Upstream-Only"),
            (b"X-Upstream-Only", b"1"),
            (b"Keep-Alive", b"timeout=5"),
            (b"Date", b"Mon, 23 Nov 2026 18:00:00 GMT"),
            (b"Server", b"uvicorn"),
            (b"X-Request-ID", b"abc"),
            (b"Set-Cookie", b"a=1"),
            (b"Set-Cookie", b"b=2"),
            (b"Location", b"/api/v1/ai/jobs/1"),
        ]
    )

    assert returned == [
        (b"content-type", b"application/json"),
        (b"content-length", b"2"),
        (b"set-cookie", b"a=1"),
        (b"set-cookie", b"b=2"),
        (b"location", b"/api/v1/ai/jobs/1"),
    ]
