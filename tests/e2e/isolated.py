"""A stack on a database of its own, emptied and migrated when it starts.

The services' relays publish every unsent row of their outbox, whoever wrote it: on the shared
test database that includes events other tests could not route (an API test has no consumer
bound for its outcomes) and, when suites run side by side, events of another stack. A stack on
its own database sends only what its own services wrote, so its dead-letter queues and counts
are its own.
"""

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from schediora_runtime.bootstrap import bootstrap
from schediora_testkit import testing
from schediora_testkit.devstack import ServiceProcess, Stack


def fresh_database(suffix: str) -> str:
    """`<test database>_<suffix>`, every service's schema empty and migrated to head."""
    name = f"{testing.test_database_name()}_{suffix}"
    bootstrap(testing.admin_url(), name, list(testing.SERVICES))
    for service in testing.SERVICES:
        testing.reset_schema(service, name)
        testing.migrate(service, "head", url=testing.database_url(service, name))
    return name


@contextmanager
def isolated_stack(
    log_dir: Path, suffix: str, extra_env: dict[str, str], start_timeout: float = 180
) -> Iterator[Stack]:
    """The four services, ready, on `fresh_database(suffix)`; their broker objects deleted
    afterwards. `start_timeout`: seconds each service may take to be live (generous: on the
    shared 2-core box under four suites, importing a service took 46 s of wall time)."""
    stack = Stack(log_dir, extra_env=extra_env, database=fresh_database(suffix))
    try:
        stack.start(start_timeout)
        stack.wait_ready()
        yield stack
    finally:
        stack.stop()
        exchange = stack.services["planner"].env["EVENTS_EXCHANGE"]
        queues = stack.queues()
        asyncio.run(
            testing.delete_broker_objects(queues, [exchange, *(f"{q}.dlx" for q in queues)])
        )


async def start(service: ServiceProcess) -> None:
    """Start one of a stack's services again and wait until it is live."""
    service.start()
    await asyncio.to_thread(service.wait_live)
