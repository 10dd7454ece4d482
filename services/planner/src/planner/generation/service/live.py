"""Live job progress (`GET /ai/jobs/{id}/events`): the job's state now and at every change,
woken by PostgreSQL notifications rather than by polling.

Every update or deletion of a job row notifies `JOB_CHANGES_CHANNEL` with the job's id in the
writing transaction (a trigger, migration 0011), so the notification leaves at commit, from
whichever process applied the change (a consumer, the deadline worker, an erasure). Each planner
process keeps one `LISTEN` connection (`schediora_runtime.notifications`) that wakes the
streams of that job in this process; each woken stream reads its job once. A waiting stream
holds no database connection and sends no query.
"""

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from planner.generation import repository
from planner.generation.domain import FINISHED
from planner.generation.schemas import JobRead
from planner.generation.service import views
from schediora_runtime.notifications import Listener, Waiters

if TYPE_CHECKING:
    from schediora_runtime.service import ServiceRuntime

JOB_CHANGES_CHANNEL = "planner_job_changes"


class JobWatch:
    """This process's waiters on jobs, and the listener that wakes them."""

    def __init__(self) -> None:
        self.waiters = Waiters()
        self.listener: Listener | None = None

    async def listen(self, runtime: "ServiceRuntime") -> None:
        """The process's `LISTEN` loop (a service worker: runs until the service stops)."""
        self.listener = Listener.from_settings(runtime.settings, JOB_CHANGES_CHANNEL, self.waiters)
        await self.listener.run()

    async def states(
        self, sessionmaker: async_sessionmaker[AsyncSession], user_id: UUID, job_id: UUID
    ) -> AsyncIterator[JobRead]:
        """The job now, then at every change, until it is completed or failed (or gone with
        its account). Registered before the first read, so no change slips in between."""
        with self.waiters.watch(str(job_id)) as woken:
            last: JobRead | None = None
            while True:
                woken.clear()
                async with sessionmaker() as session:
                    job = await repository.get(session, user_id, job_id)
                    current = views.read(job) if job is not None else None
                if current is None:
                    return
                if current != last:
                    yield current
                    last = current
                if current.status in FINISHED:
                    return
                await woken.wait()
