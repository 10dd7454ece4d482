"""Request ids: echoed when the client sends a sane one, generated otherwise."""

import re

from asgi_correlation_id import CorrelationIdMiddleware
from starlette.applications import Starlette

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def accept_request_id(value: str) -> bool:
    """Any short token-like id is echoed (docs/api.md); anything else could forge log lines."""
    return bool(_SAFE_REQUEST_ID.match(value))


def install_request_ids(app: Starlette) -> None:
    """Echo or generate `X-Request-ID` on every answer; add it outermost to cover them all."""
    app.add_middleware(
        CorrelationIdMiddleware,
        header_name=REQUEST_ID_HEADER,
        validator=accept_request_id,
        update_request_header=True,
    )
