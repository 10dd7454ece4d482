"""`python -m benchmarks`: boots the four services as processes and prints each section."""

import sys
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks import gateway
from schediora_runtime.devstack import Stack

SECTIONS = {"gateway": gateway.section}


def _wait_ready(stack: Stack, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{stack.gateway}/api/v1/health/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("the stack did not become ready")


def main(names: list[str]) -> int:
    chosen = names or list(SECTIONS)
    with tempfile.TemporaryDirectory(prefix="schediora-bench-") as logs:
        # Benchmarks measure the services, not the log pipe: warnings only.
        stack = Stack(Path(logs), extra_env={"LOG_LEVEL": "WARNING", "ENVIRONMENT": "production"})
        stack.start()
        try:
            _wait_ready(stack)
            for name in chosen:
                print(SECTIONS[name](stack), flush=True)
                print()
        finally:
            stack.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
