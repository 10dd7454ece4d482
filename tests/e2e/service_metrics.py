"""What a stack's process reports on its `/metrics`: counters a test reads after a fault (a
restarted process counts from zero, so they are what the new process saw)."""

import httpx
from prometheus_client.parser import text_string_to_metric_families

from schediora_testkit.devstack import ServiceProcess


async def events_counted(
    process: ServiceProcess, service: str, event_type: str
) -> dict[str, float]:
    """The process's `schediora_events_total` for one event type, by outcome (`applied`,
    `duplicate`, `redelivered`, ...)."""
    async with httpx.AsyncClient(timeout=10) as client:
        scraped = (await client.get(f"{process.url}/metrics")).text
    found: dict[str, float] = {}
    for family in text_string_to_metric_families(scraped):
        for sample in family.samples:
            if (
                sample.name == "schediora_events_total"
                and sample.labels.get("service") == service
                and sample.labels.get("event_type") == event_type
            ):
                found[sample.labels["outcome"]] = sample.value
    return found
