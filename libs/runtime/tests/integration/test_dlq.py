"""The dead-letter tool against a real broker: looking never consumes, a replay reaches only the
service's own queue with the message unchanged, a drop is for good, unknown ids change nothing."""

import asyncio
import json
import os
import subprocess
import sys
import uuid

import aio_pika
import pytest

from schediora_runtime import dlq
from schediora_runtime.messaging.topology import declare_exchange, declare_service_queue
from schediora_testkit import testing

ROUTING_KEY = "auth.user_registered.v1"


async def dead_letter(rabbit, topology, count: int) -> list[str]:
    """Publish `count` events to the service queue and reject each: the broker dead-letters them."""
    channel = await rabbit.channel(publisher_confirms=True)
    queue = await declare_service_queue(channel, topology, [ROUTING_KEY])
    exchange = await declare_exchange(channel, topology)
    ids = [str(uuid.uuid4()) for _ in range(count)]
    for number, message_id in enumerate(ids):
        await exchange.publish(
            aio_pika.Message(
                json.dumps({"n": number}).encode(),
                message_id=message_id,
                type="auth.user_registered",
                headers={"traceparent": f"00-{uuid.uuid4().hex}-{uuid.uuid4().hex[:16]}-01"},
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            routing_key=ROUTING_KEY,
        )
    for _ in ids:
        message = await queue.get(timeout=5)
        await message.reject(requeue=False)
    await channel.close()

    async def all_dead() -> bool:
        return len(await dlq.browse(rabbit, topology.queue)) == count

    await testing.eventually(all_dead, timeout=10)
    return ids


async def drain(rabbit, name: str) -> list[aio_pika.abc.AbstractIncomingMessage]:
    channel = await rabbit.channel()
    queue = await channel.declare_queue(name, passive=True)
    drained = []
    while (message := await queue.get(fail=False, no_ack=True)) is not None:
        drained.append(message)
    await channel.close()
    return drained


async def test_listing_shows_why_each_message_died_and_leaves_it_there(rabbit, topology):
    ids = await dead_letter(rabbit, topology, 3)
    first = await dlq.browse(rabbit, topology.queue)
    again = await dlq.browse(rabbit, topology.queue)
    assert sorted(letter.message_id for letter in first) == sorted(ids)
    assert sorted(letter.message_id for letter in again) == sorted(ids)
    letter = first[0]
    assert letter.reason == "rejected"
    assert letter.routing_key == ROUTING_KEY
    assert letter.event_type == "auth.user_registered"
    assert letter.deaths == 1
    assert letter.first_death_at is not None
    assert json.loads(letter.body).keys() == {"n"}


async def test_a_replay_sends_the_message_unchanged_to_the_service_queue_only(
    rabbit, topology, names
):
    ids = await dead_letter(rabbit, topology, 3)
    # Another subscriber of the same event must not get the replay.
    channel = await rabbit.channel()
    other = await channel.declare_queue(names.queue("other"), durable=True)
    await other.bind(await declare_exchange(channel, topology), ROUTING_KEY)

    replayed = await dlq.replay(rabbit, topology.queue, [ids[1]])

    assert replayed == [ids[1]]
    back = await drain(rabbit, topology.queue)
    assert [message.message_id for message in back] == [ids[1]]
    assert json.loads(back[0].body) == {"n": 1}
    assert back[0].type == "auth.user_registered"
    assert "traceparent" in back[0].headers
    assert "x-death" not in back[0].headers
    assert back[0].headers[dlq.REPLAYED_HEADER] == 1
    assert sorted(
        letter.message_id for letter in await dlq.browse(rabbit, topology.queue)
    ) == sorted([ids[0], ids[2]])
    assert await other.get(fail=False) is None
    await channel.close()


async def test_replay_all_and_drop_all_empty_the_queue(rabbit, topology):
    ids = await dead_letter(rabbit, topology, 4)
    assert sorted(await dlq.drop(rabbit, topology.queue, ids[:2])) == sorted(ids[:2])
    assert sorted(await dlq.replay(rabbit, topology.queue, None)) == sorted(ids[2:])
    assert await dlq.browse(rabbit, topology.queue) == []
    assert sorted(m.message_id for m in await drain(rabbit, topology.queue)) == sorted(ids[2:])


async def test_an_unknown_id_changes_nothing(rabbit, topology):
    ids = await dead_letter(rabbit, topology, 2)
    with pytest.raises(dlq.UnknownMessages):
        await dlq.replay(rabbit, topology.queue, [ids[0], str(uuid.uuid4())])
    assert len(await dlq.browse(rabbit, topology.queue)) == 2
    assert await drain(rabbit, topology.queue) == []


async def test_the_command_line_lists_replays_and_drops(rabbit, topology):
    ids = await dead_letter(rabbit, topology, 2)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "schediora_runtime.dlq", "--queue", topology.queue, *args],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "RABBITMQ_URL": testing.broker_url()},
        )

    listed = await asyncio.to_thread(run, "list")
    assert listed.returncode == 0, listed.stderr
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert sorted(row["message_id"] for row in rows) == sorted(ids)
    assert all("body" not in row for row in rows)
    shown = await asyncio.to_thread(run, "show", ids[0])
    assert json.loads(shown.stdout)["body"]
    missing = await asyncio.to_thread(run, "drop", str(uuid.uuid4()))
    assert missing.returncode == 2
    assert "nothing changed" in missing.stderr
    replayed = await asyncio.to_thread(run, "replay", ids[0])
    assert json.loads(replayed.stdout) == {"replayed": [ids[0]], "count": 1}
    dropped = await asyncio.to_thread(run, "drop", "--all")
    assert json.loads(dropped.stdout) == {"dropped": [ids[1]], "count": 1}
    assert await dlq.browse(rabbit, topology.queue) == []
