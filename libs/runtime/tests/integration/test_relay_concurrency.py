"""Relay concurrency: two relays on one outbox, one of them killed (docs/reliability.md, item
13): in the same process by cancellation, and in a process of its own by SIGKILL."""

import asyncio
import os
import signal
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path

import pytest

from schediora_contracts import UserRegistered
from schediora_runtime.messaging.broker import Broker
from schediora_runtime.messaging.outbox import record_event
from schediora_runtime.messaging.relay import OutboxRelay
from schediora_testkit import testing

from ..factories import PRODUCER, user_registered

AGGREGATES = 10
PER_AGGREGATE = 100
ROWS = AGGREGATES * PER_AGGREGATE
BATCH = 100
RELAY_PROCESS = Path(__file__).with_name("relay_process.py")


async def fill_outbox(store, *, per_transaction: int = ROWS) -> None:
    """10 aggregates x sequence 0..99, interleaved, committed `per_transaction` rows at a time."""
    users = [uuid.uuid4() for _ in range(AGGREGATES)]
    events = [user_registered(user, seq) for seq in range(PER_AGGREGATE) for user in users]
    for start in range(0, ROWS, per_transaction):
        async with store.sessionmaker() as session, session.begin():
            for event in events[start : start + per_transaction]:
                await record_event(session, store.outbox, event, producer=PRODUCER)


def first_deliveries_in_order(received) -> dict[str, list[int]]:
    """Per aggregate, the sequence numbers in the order their first copy arrived."""
    seen: set[str | None] = set()
    per_aggregate: dict[str, list[int]] = defaultdict(list)
    for message, (aggregate, seq) in zip(received, received.sequences(), strict=True):
        if message.message_id not in seen:
            seen.add(message.message_id)
            per_aggregate[aggregate].append(seq)
    return per_aggregate


async def second_broker(topology) -> Broker:
    broker = Broker(testing.broker_url(), topology, name=testing.unique_name("broker"))
    await broker.start()
    await broker.wait_connected(timeout=15)
    return broker


def counting(counts: dict[str, int], name: str):
    async def count(row) -> None:
        counts[name] += 1

    return count


async def test_two_relays_publish_every_row_once_and_keep_each_aggregate_in_order(
    store, broker, topology, tap
):
    received = await tap(UserRegistered.routing_key())
    other_broker = await second_broker(topology)
    other_engine = store.new_engine()
    counts = {"a": 0, "b": 0}
    relays = [
        OutboxRelay(
            store.engine, store.outbox, broker,
            batch_size=BATCH, poll_interval=0.02, after_publish=counting(counts, "a"),
        ),
        OutboxRelay(
            other_engine, store.outbox, other_broker,
            batch_size=BATCH, poll_interval=0.02, after_publish=counting(counts, "b"),
        ),
    ]  # fmt: skip
    started = time.monotonic()
    for relay in relays:
        await relay.start()
    try:
        # Written while both relays poll, ten events per commit: the relays take turns.
        await fill_outbox(store, per_transaction=AGGREGATES)

        async def all_relayed() -> bool:
            return len(received) >= ROWS and await store.unsent() == 0

        await testing.eventually(all_relayed, timeout=30)
        elapsed = time.monotonic() - started
        await asyncio.sleep(0.3)  # room for any stray extra publish to arrive
    finally:
        for relay in relays:
            await relay.stop()
        await other_broker.stop()
        await other_engine.dispose()

    print(f"FIGURES two relays: {counts} publishes, {len(received)} delivered in {elapsed:.2f}s")
    assert counts["a"] + counts["b"] == ROWS
    assert counts["a"] > 0
    assert counts["b"] > 0
    assert len(received) == ROWS
    assert len(set(received.ids)) == ROWS
    per_aggregate = first_deliveries_in_order(received)
    assert len(per_aggregate) == AGGREGATES
    for sequence in per_aggregate.values():
        assert sequence == list(range(PER_AGGREGATE))
    assert await store.unsent() == 0


async def test_a_relay_killed_mid_batch_loses_nothing_and_duplicates_at_most_one_batch(
    store, broker, topology, tap
):
    received = await tap(UserRegistered.routing_key())
    await fill_outbox(store)
    other_broker = await second_broker(topology)
    other_engine = store.new_engine()
    counts = {"killed": 0, "survivor": 0}
    killed_task: asyncio.Task | None = None

    async def die_halfway_through_a_batch(row) -> None:
        counts["killed"] += 1
        if counts["killed"] == BATCH // 2:
            assert killed_task is not None
            killed_task.cancel()
            await asyncio.sleep(5)  # the cancellation lands here: published, not yet marked

    doomed = OutboxRelay(
        store.engine, store.outbox, broker,
        batch_size=BATCH, poll_interval=0.05, after_publish=die_halfway_through_a_batch,
    )  # fmt: skip
    survivor = OutboxRelay(
        other_engine, store.outbox, other_broker,
        batch_size=BATCH, poll_interval=0.05, after_publish=counting(counts, "survivor"),
    )  # fmt: skip
    killed_task = asyncio.create_task(doomed.run())
    await survivor.start()
    try:

        async def all_relayed() -> bool:
            return killed_task.done() and await store.unsent() == 0 and len(received) >= ROWS

        await testing.eventually(all_relayed, timeout=30)
        await asyncio.sleep(0.3)
    finally:
        killed_task.cancel()
        await asyncio.gather(killed_task, return_exceptions=True)
        await survivor.stop()
        await other_broker.stop()
        await other_engine.dispose()

    total = counts["killed"] + counts["survivor"]
    print(f"FIGURES killed relay: {counts} publishes, {len(received)} delivered")
    assert killed_task.cancelled()
    assert counts["killed"] == BATCH // 2
    assert len(set(received.ids)) == ROWS
    assert len(received) == total
    assert total <= ROWS + BATCH
    per_aggregate = first_deliveries_in_order(received)
    for sequence in per_aggregate.values():
        assert sequence == list(range(PER_AGGREGATE))
    assert await store.unsent() == 0


@pytest.mark.slow
async def test_a_relay_process_sigkilled_mid_batch_loses_nothing_and_duplicates_at_most_one_batch(
    store, broker, topology, tap
):
    """1000 rows; a relay in another process takes the outbox and SIGKILLs itself after 50
    confirmed publishes of its first batch, while a second relay (this process) waits on the
    advisory lock: 1000 distinct ids, at most 1000 + one batch of publishes, none unsent."""
    received = await tap(UserRegistered.routing_key())
    await fill_outbox(store)
    doomed = await asyncio.create_subprocess_exec(
        sys.executable, str(RELAY_PROCESS),
        store.engine.url.render_as_string(hide_password=False), store.schema,
        topology.exchange, topology.queue, str(BATCH), str(BATCH // 2),
        stdout=asyncio.subprocess.PIPE,
        env=os.environ | {"RABBITMQ_URL": testing.broker_url()},
    )  # fmt: skip
    counts = {"survivor": 0}
    survivor = OutboxRelay(
        store.engine, store.outbox, broker,
        batch_size=BATCH, poll_interval=0.05, after_publish=counting(counts, "survivor"),
    )  # fmt: skip
    try:
        assert doomed.stdout is not None
        # Its first publish: it holds the advisory lock and its batch's rows from now on.
        first = await asyncio.wait_for(doomed.stdout.readline(), timeout=120)
        await survivor.start()
        rest = await asyncio.wait_for(doomed.stdout.read(), timeout=120)
        code = await doomed.wait()

        async def all_relayed() -> bool:
            return await store.unsent() == 0 and len(received) >= ROWS

        # The survivor takes over at once: every row sent within 30 s of the kill.
        await testing.eventually(all_relayed, timeout=30)
        await asyncio.sleep(0.3)  # room for any stray extra publish to arrive
    finally:
        if doomed.returncode is None:
            doomed.kill()
            await doomed.wait()
        await survivor.stop()

    killed = len((first + rest).split())
    total = killed + counts["survivor"]
    print(f"FIGURES SIGKILLed relay process: killed {killed}, survivor {counts['survivor']} "
          f"publishes, {len(received)} delivered, {len(set(received.ids))} distinct")  # fmt: skip
    assert code == -signal.SIGKILL
    assert first.strip()  # it did publish before it died
    assert killed == BATCH // 2
    assert counts["survivor"] == ROWS  # again what the killed one had not marked sent, and the rest
    assert len(set(received.ids)) == ROWS
    assert len(received) == total
    assert total <= ROWS + BATCH
    for sequence in first_deliveries_in_order(received).values():
        assert sequence == list(range(PER_AGGREGATE))
    assert await store.unsent() == 0
