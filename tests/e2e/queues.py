"""The stack's queues as the broker reports them (`rabbitmqctl`), and its dead letters."""

import asyncio
from typing import Any

import aio_pika

from schediora_testkit import testing
from schediora_testkit.devstack import Stack

from . import service_tables


def queue_names(stack: Stack) -> dict[str, str]:
    planner, ai = (stack.services[n].env["QUEUE_NAME"] for n in ("planner", "ai"))
    return {"planner": planner, "ai": ai, "planner.dlq": f"{planner}.dlq", "ai.dlq": f"{ai}.dlq"}


async def depths(stack: Stack) -> dict[str, tuple[int, int]]:
    """(ready, unacknowledged) of the planner's and the ai's queues and dead-letter queues."""
    listed = await asyncio.to_thread(
        testing.list_queues, "messages_ready", "messages_unacknowledged"
    )
    found = {}
    for key, name in queue_names(stack).items():
        row = listed.get(name, {})
        found[key] = (row.get("messages_ready", -1), row.get("messages_unacknowledged", -1))
    return found


async def all_settled(stack: Stack, *only: str) -> dict[str, tuple[int, int]] | None:
    """Every queue (or those named), dead-letter queues included, empty with nothing
    unacknowledged."""
    found = await depths(stack)
    mine = {key: depth for key, depth in found.items() if not only or key in only}
    return found if all(depth == (0, 0) for depth in mine.values()) else None


async def wait_settled(stack: Stack, *only: str, timeout: float = 60) -> dict[str, Any]:
    """Wait until `all_settled`; the depths on the way out, or in the failure message."""

    async def queues_empty() -> dict[str, tuple[int, int]] | None:
        return await all_settled(stack, *only)

    try:
        return await testing.eventually(queues_empty, timeout=timeout, interval=0.5)
    except AssertionError:
        raise AssertionError(f"queues not settled in {timeout}s: {await depths(stack)}") from None


async def consumers_on(stack: Stack, service: str) -> int:
    listed = await asyncio.to_thread(testing.list_queues, "consumers")
    return int(listed.get(queue_names(stack)[service], {}).get("consumers", 0))


async def drain(queue: str) -> list[Any]:
    """Take every message off a queue (a dead-letter queue, after a test has read it)."""
    connection = await aio_pika.connect(testing.broker_url())
    async with connection:
        channel = await connection.channel()
        found = await channel.declare_queue(queue, passive=True)
        drained = []
        while (message := await found.get(fail=False, no_ack=True)) is not None:
            drained.append(message)
        return drained


async def wait_all_completed(stack: Stack, db: Any, job_ids: list[str], timeout: float) -> None:
    """Wait until every job is `completed`; on timeout, fail naming the jobs' states and the
    queue depths (what a reader of a red run needs first)."""

    async def all_completed() -> bool:
        return await service_tables.statuses(db, job_ids) == {"completed": len(job_ids)}

    try:
        await testing.eventually(all_completed, timeout=timeout, interval=0.2)
    except AssertionError as exc:
        found = await service_tables.statuses(db, job_ids)
        raise AssertionError(f"{exc}; jobs {dict(found)}; queues {await depths(stack)}") from exc
