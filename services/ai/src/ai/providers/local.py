"""The `local` provider: the CP-SAT constraint solver, offline and deterministic.

Solving is CPU work, much of it Python (building the model, reading the answer), which holds
the GIL: in a thread it would still slow the event loop and use one core. So each solve runs in
a pool of worker processes, one per core this process may use, shared by every generation of the
process; solves past that wait their turn in the pool while the event loop stays free."""

import asyncio
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from ai.scheduling.schedule import Schedule
from ai.scheduling.solver import solve
from schediora_contracts import PlanRequested

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def solver_processes() -> int:
    """The cores this process may run on (a container's CPU set, not the host's count)."""
    return max(len(os.sched_getaffinity(0)), 1)


def _solver_pool() -> ProcessPoolExecutor:
    """The process's one pool, started on first use. `forkserver` workers start from a clean
    process that imported the solver once (not a fork of a process with threads and sockets);
    the interpreter stops them at exit."""
    global _pool
    with _pool_lock:
        if _pool is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["ai.scheduling.solver"])
            _pool = ProcessPoolExecutor(max_workers=solver_processes(), mp_context=context)
        return _pool


async def start_solver_pool(_runtime: object = None) -> None:
    """Start the pool's processes now (a service worker at start-up), not on the first plan:
    the forkserver imports the solver once, which takes a while on a busy machine."""
    await asyncio.get_running_loop().run_in_executor(_solver_pool(), int)


class LocalProvider:
    name = "local"
    model: str | None = "cp-sat"

    async def plan(self, request: PlanRequested) -> Schedule:
        pool = _solver_pool()
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, solve, request)
        except BrokenProcessPool:
            _forget(pool)  # a worker died (killed, out of memory): the next solve starts anew
            raise


def _forget(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _pool_lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)
