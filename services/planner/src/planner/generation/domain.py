"""The rules of AI jobs that need no database: statuses, which event may move a job, codes."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

JobKind = Literal["generate", "reschedule"]
JobStatus = Literal["queued", "running", "completed", "failed"]
IN_FLIGHT: tuple[str, ...] = ("queued", "running")
FINISHED: tuple[str, ...] = ("completed", "failed")

# Stable codes a failed job carries (besides the generator's own, e.g. `no_available_time`).
WEEKLY_PLAN_EXISTS = "weekly_plan_exists"
GENERATION_TIMEOUT = "generation_timeout"
SESSION_OVERLAP = "session_overlap"
GENERATION_IN_PROGRESS = "generation_in_progress"


@dataclass(frozen=True)
class RequestQuota:
    """At most `limit` jobs (generate and reschedule together) per user in any `window`:
    `GENERATION_REQUESTS_PER_WINDOW` per `GENERATION_REQUEST_WINDOW_SECONDS`."""

    limit: int
    window: timedelta

    def retry_after_seconds(self, oldest_in_window: datetime, now: datetime) -> int:
        """Whole seconds until the oldest job in the window leaves it (at least 1)."""
        left = (oldest_in_window + self.window - now).total_seconds()
        return max(1, int(-(-left // 1)))


def takes_started(status: str) -> bool:
    """PlanGenerationStarted moves only a queued job: the ai's outcome and the deadline can
    arrive before it (events of one job may be applied out of order), and then it is late."""
    return status == "queued"


def takes_outcome(status: str) -> bool:
    """The first outcome wins, whether or not its Started has arrived; any later one (a
    redelivery, or one after the deadline failed the job) changes nothing."""
    return status in IN_FLIGHT


class ForeignJob(Exception):
    """An event names a job that does not exist or belongs to another user: forged or
    misrouted, never to be applied."""
