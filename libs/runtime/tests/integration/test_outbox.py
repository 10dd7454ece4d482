"""Transactional outbox: the outbox row commits with the state change, or neither does."""

import contextlib
import random
import uuid

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from schediora_contracts import UserRegistered
from schediora_runtime.messaging.codec import decode
from schediora_runtime.messaging.outbox import WAKE_RELAY_KEY, record_event
from schediora_runtime.messaging.relay import OutboxRelay
from schediora_testkit import testing

from ..factories import PRODUCER, user_registered, write_effect


class Fault(Exception):
    """A crash injected into a business transaction."""


FAULT_POINTS = ("none", "before_writes", "between_writes", "before_commit", "after_commit")


async def change_state(store, fault: str = "none", sessionmaker=None) -> uuid.UUID:
    """A use case: one effect row and its event in one transaction, crashing at `fault`."""
    async with (sessionmaker or store.sessionmaker)() as session, session.begin():
        if fault == "before_writes":
            raise Fault(fault)
        event = user_registered()
        event_id = await record_event(session, store.outbox, event, producer=PRODUCER)
        if fault == "between_writes":
            raise Fault(fault)
        await write_effect(session, store, event_id, event)
        if fault == "before_commit":
            raise Fault(fault)
    if fault == "after_commit":
        raise Fault(fault)  # the process dies after committing, before any relay ran
    return event_id


@pytest.mark.parametrize("fault", ["between_writes", "before_commit"])
async def test_a_fault_before_commit_leaves_neither_the_effect_nor_the_event(store, fault):
    with pytest.raises(Fault):
        await change_state(store, fault)

    assert await store.count(store.effects) == 0
    assert await store.count(store.outbox) == 0


async def test_an_event_committed_while_no_relay_runs_is_relayed_when_one_starts(
    store, broker, tap
):
    received = await tap(UserRegistered.routing_key())
    event_id = await change_state(store)
    assert await store.unsent() == 1

    relay = OutboxRelay(store.engine, store.outbox, broker, poll_interval=0.05)
    await relay.start()
    try:

        async def relayed() -> bool:
            return len(received) == 1

        await testing.eventually(relayed, timeout=10)
    finally:
        await relay.stop()

    assert received.ids == [str(event_id)]
    assert await store.unsent() == 0


async def test_only_a_commit_that_wrote_events_wakes_the_relay(store):
    wakes: list[int] = []
    sessionmaker = async_sessionmaker(store.engine, info={WAKE_RELAY_KEY: lambda: wakes.append(1)})

    await change_state(store, sessionmaker=sessionmaker)
    assert len(wakes) == 1

    with pytest.raises(Fault):
        await change_state(store, "before_commit", sessionmaker)
    async with sessionmaker() as session, session.begin():
        await write_effect(session, store, uuid.uuid4(), user_registered())
    assert len(wakes) == 1


async def test_under_random_faults_committed_effects_equal_delivered_events(store, broker, tap):
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    received = await tap(UserRegistered.routing_key())
    relay = OutboxRelay(store.engine, store.outbox, broker)

    async def crash_after_publish(row) -> None:
        raise Fault("relay died before marking the row sent")

    crashing_relay = OutboxRelay(
        store.engine, store.outbox, broker, after_publish=crash_after_publish
    )
    faults = dict.fromkeys(FAULT_POINTS, 0)
    relay_crashes = 0
    for _ in range(100):
        point = rng.choice(FAULT_POINTS)
        faults[point] += 1
        with contextlib.suppress(Fault):
            await change_state(store, point)
        # The relay runs at random moments, sometimes dying between publish and mark-as-sent.
        roll = rng.random()
        if roll < 0.2:
            await relay.relay_batch()
        elif roll < 0.3:
            try:
                await crashing_relay.relay_batch()
            except Fault:
                relay_crashes += 1

    while await relay.relay_batch():
        pass

    committed = {str(row.event_id) for row in await store.rows(store.effects)}

    async def all_delivered() -> bool:
        return set(received.ids) >= committed

    await testing.eventually(all_delivered, timeout=10)
    distinct = len(set(received.ids))
    print(f"FIGURES seed={seed} faults={faults} relay_crashes={relay_crashes}")
    print(f"FIGURES committed={len(committed)} delivered={len(received)} distinct={distinct}")
    assert set(received.ids) == committed
    assert len(committed) == faults["none"] + faults["after_commit"]
    assert await store.count(store.outbox) == len(committed)
    assert await store.unsent() == 0


async def test_the_published_envelope_names_its_correlation_and_its_cause(store, broker, tap):
    """An event written while handling another names that one as its `causation_id` (the ai's
    outcomes name the PlanRequested they answer); the relay publishes both ids as recorded."""
    received = await tap(UserRegistered.routing_key())
    correlation, cause = uuid.uuid4(), uuid.uuid4()
    async with store.sessionmaker() as session, session.begin():
        event_id = await record_event(
            session,
            store.outbox,
            user_registered(),
            producer=PRODUCER,
            correlation_id=correlation,
            causation_id=cause,
        )
    relay = OutboxRelay(store.engine, store.outbox, broker)
    while await relay.relay_batch():
        pass

    async def relayed() -> bool:
        return len(received) == 1

    await testing.eventually(relayed, timeout=10)
    envelope, _ = decode(received[0].body)
    assert (envelope.event_id, envelope.correlation_id, envelope.causation_id) == (
        event_id,
        correlation,
        cause,
    )
