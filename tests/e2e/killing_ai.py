"""The stack's ai started through `ai_killed_at.py`, and a kill that takes its solver processes
with it: the fault-injection tests' handle on the ai process."""

import contextlib
import os
import signal
import subprocess
from pathlib import Path

from schediora_testkit.devstack import ServiceProcess

KILLER = Path(__file__).with_name("ai_killed_at.py")


class KillingAI(ServiceProcess):
    """The stack's ai, started to SIGKILL itself at `boundary` (or to hold its messages)."""

    boundary: str = ""

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [self.python, str(KILLER), self.boundary],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the process and its solver processes (they share its process group), whatever is
    left of them, and reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(30)
