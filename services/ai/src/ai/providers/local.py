"""The `local` provider: the CP-SAT constraint solver, offline and deterministic."""

import asyncio

from ai.scheduling.schedule import Schedule
from ai.scheduling.solver import solve
from schediora_contracts import PlanRequested


class LocalProvider:
    name = "local"
    model: str | None = "cp-sat"

    async def plan(self, request: PlanRequested) -> Schedule:
        # CP-SAT releases the GIL while it searches: a worker thread keeps the event loop free.
        return await asyncio.to_thread(solve, request)
