"""The planner, started as `python tests/e2e/planner_killed_at.py <event type> <count>`: the real
service, except that it SIGKILLs itself between the commit and the ack of `<count>` messages of
`<event type>`. Test tooling only: it wraps the runtime's consumer from outside (nothing in the
service knows of it), for test_commit_ack_crash.py.

Each message of that type is applied as usual (its effects and its inbox row committed), then
held unacknowledged; when the `<count>`-th has committed, the process kills itself, so every one
of them was committed and none acked. Messages of other types are settled as usual.
"""

import asyncio
import os
import signal
import sys

from planner.settings import Settings
from schediora_runtime.messaging.consumer import Consumer
from schediora_runtime.serve import serve


def kill_after(event_type: str, count: int) -> None:
    apply = Consumer._apply
    committed = 0

    async def apply_then_hold(self, envelope, event, handler):
        nonlocal committed
        applied = await apply(self, envelope, event, handler)
        if envelope.type != event_type:
            return applied
        committed += 1  # the handler's transaction has committed
        if committed == count:
            os.kill(os.getpid(), signal.SIGKILL)
        await asyncio.Event().wait()  # never acked: held until the process dies
        return applied

    Consumer._apply = apply_then_hold


if __name__ == "__main__":
    event_type, count = sys.argv[1:]
    kill_after(event_type, int(count))
    # One process (no uvicorn workers): the wrapped consumer is this process's.
    serve("planner.main:create_app", Settings(web_concurrency=1))
