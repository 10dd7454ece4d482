"""The gateway's own failures, answered as problem+json (docs/api.md)."""

from schediora_runtime.problems import ProblemError


class PayloadTooLarge(ProblemError):
    status = 413
    code = "payload_too_large"


class BadGateway(ProblemError):
    status = 502
    code = "bad_gateway"


class ServiceUnavailable(ProblemError):
    status = 503
    code = "service_unavailable"


class GatewayTimeout(ProblemError):
    status = 504
    code = "gateway_timeout"
