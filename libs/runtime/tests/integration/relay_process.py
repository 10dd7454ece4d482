"""A relay in a process of its own, for test_relay_concurrency.py: `python relay_process.py
<database url> <schema> <exchange> <queue> <batch size> <kill after>`.

The runtime's OutboxRelay on the test's outbox table, publishing to the test's exchange; after
its `<kill after>`-th confirmed publish it SIGKILLs itself, inside the batch's transaction: those
rows went out but are not marked sent, and the batch's row locks and the relay's advisory lock
end with its connection. Each confirmed publish is printed (the event id) before that, so the
test can count what the killed process sent.
"""

import asyncio
import os
import signal
import sys

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import create_async_engine

from schediora_runtime.messaging.broker import Broker
from schediora_runtime.messaging.outbox import outbox_table
from schediora_runtime.messaging.relay import OutboxRelay
from schediora_runtime.messaging.topology import Topology


async def main(url: str, schema: str, exchange: str, queue: str, batch: int, kill_after: int):
    engine = create_async_engine(url)
    outbox = outbox_table(MetaData(schema=schema))
    broker = Broker(os.environ["RABBITMQ_URL"], Topology(exchange, queue), name=f"{queue}.doomed")
    await broker.start()
    await broker.wait_connected(timeout=30)
    published = 0

    async def die_mid_batch(row) -> None:
        nonlocal published
        published += 1
        print(row.event_id, flush=True)
        if published == kill_after:
            os.kill(os.getpid(), signal.SIGKILL)
        await asyncio.sleep(0.01)  # slow enough for the test to start the other relay meanwhile

    relay = OutboxRelay(
        engine, outbox, broker, batch_size=batch, poll_interval=0.05, after_publish=die_mid_batch
    )
    await relay.run()


if __name__ == "__main__":
    url, schema, exchange, queue, batch, kill_after = sys.argv[1:]
    asyncio.run(main(url, schema, exchange, queue, int(batch), int(kill_after)))
