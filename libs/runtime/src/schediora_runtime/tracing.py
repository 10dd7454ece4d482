"""OpenTelemetry tracing; the exporter is chosen by the standard `OTEL_*` variables.

`OTEL_TRACES_EXPORTER` is `none` (the default), `otlp` (HTTP/protobuf, endpoint from
`OTEL_EXPORTER_OTLP_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) or `console`;
`OTEL_SDK_DISABLED=true` turns tracing off altogether.
"""

import logging
import os

from fastapi.telemetry import TelemetryConfig
from opentelemetry import trace
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF

logger = logging.getLogger(__name__)


def _exporter_processors() -> list[SpanProcessor]:
    names = os.environ.get("OTEL_TRACES_EXPORTER", "none").lower().split(",")
    processors: list[SpanProcessor] = []
    for name in filter(None, (n.strip() for n in names)):
        if name == "otlp":
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            processors.append(BatchSpanProcessor(OTLPSpanExporter()))
        elif name == "console":
            processors.append(BatchSpanProcessor(ConsoleSpanExporter()))
        elif name != "none":
            logger.warning("unsupported OTEL_TRACES_EXPORTER %r ignored", name)
    return processors


def configure_tracing(service_name: str) -> TracerProvider | None:
    """Install the process-wide tracer provider once; later calls return the one in place."""
    if os.environ.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return None
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        return current
    resource = Resource.create({SERVICE_NAME: os.environ.get("OTEL_SERVICE_NAME", service_name)})
    processors = _exporter_processors()
    sampler = None  # the SDK then reads OTEL_TRACES_SAMPLER (default parentbased_always_on)
    if not processors and "OTEL_TRACES_SAMPLER" not in os.environ:
        # Nothing would export the spans: record none (about 1 ms of CPU per request saved), but
        # keep creating span contexts so logs carry trace ids and traceparent is passed on.
        sampler = ALWAYS_OFF
    provider = TracerProvider(resource=resource, sampler=sampler)
    for processor in processors:
        provider.add_span_processor(processor)
    trace.set_tracer_provider(provider)
    # Outgoing HTTP from services (JWKS fetches, LLM calls) carries the trace too.
    HTTPXClientInstrumentor().instrument()
    if sampler is not ALWAYS_OFF:
        # Every engine created from now on reports its queries. Not when no span is recorded:
        # the instrumentation builds each statement's attributes and a span anyway, about
        # 0.25 ms of CPU a statement for nothing (README: Performance).
        SQLAlchemyInstrumentor().instrument()
    return provider


# FastAPI's own telemetry (0.16x) would trace, meter and log every request a second time on top
# of the OpenTelemetry instrumentation below, and add spans per dependency: about 1 ms of CPU a
# request for nothing an SRE needs. Pass this as `FastAPI(telemetry=...)`.
FASTAPI_NATIVE_TELEMETRY_OFF: TelemetryConfig = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
}


def shutdown_tracing() -> None:
    provider = trace.get_tracer_provider()
    if isinstance(provider, TracerProvider):
        provider.force_flush()
