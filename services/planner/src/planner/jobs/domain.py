"""The rules of AI jobs that need no database."""

from typing import Literal

JobKind = Literal["generate", "reschedule"]
JobStatus = Literal["queued", "running", "completed", "failed"]
IN_FLIGHT: tuple[str, ...] = ("queued", "running")
FINISHED: tuple[str, ...] = ("completed", "failed")

# Stable codes a failed job carries (besides the generator's own, e.g. `no_available_time`).
WEEKLY_PLAN_EXISTS = "weekly_plan_exists"
GENERATION_TIMEOUT = "generation_timeout"
SESSION_OVERLAP = "session_overlap"
