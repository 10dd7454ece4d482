"""Idempotent consumer, scaled: the dedup key decides a race between two consumers."""

import asyncio
import uuid

import pytest
from sqlalchemy import text, update

from schediora_runtime.messaging.inbox import claim_event, purge_processed_events

RACES = 1000  # docs/reliability.md, item 35


@pytest.mark.slow
async def test_two_sessions_claiming_the_same_event_id_exactly_one_wins(store):
    outcomes = []
    for _ in range(RACES):
        event_id = uuid.uuid4()
        both_in_a_transaction = asyncio.Barrier(2)

        async def claim(event_id=event_id, barrier=both_in_a_transaction) -> bool:
            async with store.sessionmaker() as session, session.begin():
                await session.execute(text("SELECT 1"))  # connection held, transaction open
                await barrier.wait()
                return await claim_event(
                    session, store.processed_events, event_id, "auth.user_registered"
                )

        # An IntegrityError from either claim would surface here and fail the test.
        outcomes.append(sorted(await asyncio.gather(claim(), claim())))

    assert outcomes == [[False, True]] * RACES
    assert await store.count(store.processed_events) == RACES


async def test_a_claim_rolled_back_frees_the_event_id_for_the_waiting_claimant(store):
    event_id = uuid.uuid4()
    async with store.sessionmaker() as first, store.sessionmaker() as second:
        await first.begin()
        assert await claim_event(first, store.processed_events, event_id, "t.e")
        # The second claim waits on the key until the first transaction ends.
        waiting = asyncio.create_task(claim_event(second, store.processed_events, event_id, "t.e"))
        await asyncio.sleep(0.2)
        assert not waiting.done()
        await first.rollback()
        assert await asyncio.wait_for(waiting, timeout=5) is True
        await second.commit()

    assert await store.count(store.processed_events) == 1


async def test_processed_event_ids_are_forgotten_only_after_the_retention_period(store):
    old, recent = uuid.uuid4(), uuid.uuid4()
    async with store.sessionmaker() as session, session.begin():
        for event_id in (old, recent):
            await claim_event(session, store.processed_events, event_id, "t.e")
        await session.execute(
            update(store.processed_events)
            .where(store.processed_events.c.event_id == old)
            .values(processed_at=text("now() - interval '8 days'"))
        )
    async with store.sessionmaker() as session, session.begin():
        purged = await purge_processed_events(session, store.processed_events, retention_days=7)
    assert purged == 1
    remaining = {row.event_id for row in await store.rows(store.processed_events)}
    assert recent in remaining
    assert old not in remaining
