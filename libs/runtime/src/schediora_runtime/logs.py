"""Structured JSON logs: every line names the service, the request id and the trace id."""

import logging
import sys

from asgi_correlation_id import correlation_id
from opentelemetry import trace
from pythonjsonlogger.json import JsonFormatter


class ContextFilter(logging.Filter):
    """Stamps each record with the service name, request id and current trace and span ids."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        # uvicorn adds an ANSI-coloured copy of the message; it has no place in JSON.
        record.__dict__.pop("color_message", None)
        record.request_id = correlation_id.get()
        span_context = trace.get_current_span().get_span_context()
        if span_context.is_valid:
            record.trace_id = format(span_context.trace_id, "032x")
            record.span_id = format(span_context.span_id, "016x")
        else:
            record.trace_id = None
            record.span_id = None
        return True


def configure_logging(service: str, level: str = "INFO", *, json: bool = True) -> None:
    """Route the root logger (and uvicorn's) through one handler with the context filter."""
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(ContextFilter(service))
    if json:
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s "
                "%(service)s %(request_id)s %(trace_id)s %(span_id)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                timestamp=False,
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter(
                "%(asctime)s %(levelname)-5s %(service)s [%(request_id)s] %(name)s: %(message)s"
            )
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers[:] = []
        uvicorn_logger.propagate = True
    # aiormq logs every reconnect attempt at ERROR with a traceback; the broker client reports
    # outages itself, once, so keep the noise at WARNING.
    logging.getLogger("aiormq").setLevel(logging.WARNING)
    logging.getLogger("aio_pika").setLevel(logging.WARNING)
