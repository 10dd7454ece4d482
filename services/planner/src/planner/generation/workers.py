"""The deadline worker: a job never hangs. One with no outcome past its deadline is failed
with `generation_timeout`, freeing the week; a late PlanGenerated for it is then ignored."""

import asyncio
import logging

from planner.generation.service import outcomes
from planner.settings import Settings
from schediora_runtime.clock import utc_now
from schediora_runtime.database import transaction
from schediora_runtime.service import ServiceRuntime

logger = logging.getLogger(__name__)


async def fail_overdue_jobs(runtime: ServiceRuntime) -> None:
    """Every `job_sweep_interval_seconds`, fail the jobs past their deadline."""
    settings = runtime.settings
    assert isinstance(settings, Settings)
    interval = settings.job_sweep_interval_seconds
    while True:
        await asyncio.sleep(interval)
        try:
            async for session in transaction(runtime.sessionmaker):
                failed = await outcomes.fail_overdue(session, utc_now())
            if failed:
                logger.warning(
                    "failed %d overdue job(s) with generation_timeout: %s",
                    len(failed),
                    ", ".join(map(str, failed)),
                )
        except Exception:
            logger.warning("failing overdue jobs did not work this time", exc_info=True)
