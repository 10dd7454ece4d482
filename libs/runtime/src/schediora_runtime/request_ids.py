"""Request ids: echoed when the client sends a sane one, generated otherwise
(`schediora_runtime.middleware` applies this to every request)."""

import re

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def accept_request_id(value: str) -> bool:
    """Any short token-like id is echoed (docs/api.md); anything else could forge log lines."""
    return bool(_SAFE_REQUEST_ID.match(value))
