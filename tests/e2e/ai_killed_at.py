"""The ai service, started as `python tests/e2e/ai_killed_at.py <boundary>`: the real service,
except that it SIGKILLs itself at one boundary of its first generation. Test tooling only: it
wraps the generation steps from outside (nothing in the service knows of it), for the
fault-injection test (test_generation_faults.py).

Boundaries, in the order a generation crosses them:
- `before_begin`: the PlanRequested is in hand, nothing written;
- `after_begin`: `running` and PlanGenerationStarted committed, the provider not yet asked;
- `during_call`: the provider is making the plan;
- `before_finish`: the plan is made, its outcome not stored;
- `after_finish`: the outcome and the claim committed, the message not yet acked.

And `hold`: every generation waits before its first transaction, for ever, so the process holds
its prefetched PlanRequested unacknowledged, having written nothing, until the test SIGKILLs it
from outside (the crash loop of test_crash_loop.py).
"""

import asyncio
import os
import signal
import sys

from ai.generations import service
from ai.providers import local
from ai.settings import Settings
from schediora_runtime.serve import serve

BOUNDARIES = ("before_begin", "after_begin", "during_call", "before_finish", "after_finish")
HOLD = "hold"


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def kill_at(boundary: str) -> None:
    begin, make, finish = service.begin, service.make, service.finish
    plan = local.LocalProvider.plan

    async def begin_then_die(*args, **kwargs):
        if boundary == "before_begin":
            die()
        if boundary == HOLD:
            await asyncio.Event().wait()  # never set: held until killed
        begun = await begin(*args, **kwargs)
        if boundary == "after_begin":
            die()
        return begun

    async def plan_while_dying(self, request):
        solving = asyncio.ensure_future(plan(self, request))
        await asyncio.sleep(0.05)  # the solve is in the solver's process pool
        if boundary == "during_call" and not solving.done():
            die()
        return await solving

    async def make_then_die(*args, **kwargs):
        made = await make(*args, **kwargs)
        if boundary == "before_finish":
            die()
        return made

    async def finish_then_die(*args, **kwargs):
        finished = await finish(*args, **kwargs)
        if boundary == "after_finish":
            die()
        return finished

    service.begin, service.make, service.finish = begin_then_die, make_then_die, finish_then_die
    local.LocalProvider.plan = plan_while_dying


if __name__ == "__main__":
    (at,) = sys.argv[1:]
    assert at in (*BOUNDARIES, HOLD), f"unknown boundary {at!r}; one of {BOUNDARIES} or {HOLD}"
    kill_at(at)
    # One process (no uvicorn workers): the wrapped functions are this process's.
    serve("ai.main:create_app", Settings(web_concurrency=1))
