"""Runs the four services as real processes, for end-to-end tests and benchmarks."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from schediora_testkit import testing

SERVICES = ("auth", "planner", "ai", "gateway")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ServiceProcess:
    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen | None = None
    python: str = sys.executable
    """The interpreter to run the service with (a benchmark may run another checkout's)."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [self.python, "-m", self.name],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        # What the service started runs in its session: the ai's solver forkserver and pool
        # workers, multiprocessing's resource tracker. A SIGKILL of the service leaves them
        # behind (≈ 100 MB each), as a container's end would not; end them with it.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def wait_live(self, timeout: float = 90) -> None:
        # Generous: on a loaded 2-core machine a process can take a minute to import and bind.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/health/live", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError(
            f"{self.name} not live after {timeout}s: {self.log_path.read_text()[-3000:]}"
        )


@dataclass
class Stack:
    """The four services with their own ports and broker names, on the test database (or on
    `database`: a stack of its own there relays no other test's outbox rows)."""

    log_dir: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    services: dict[str, ServiceProcess] = field(default_factory=dict)
    database: str | None = None
    python: str = sys.executable

    def __post_init__(self) -> None:
        ports = {name: free_port() for name in SERVICES}
        exchange = testing.unique_name("e2e")
        base = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("OTEL_", "DATABASE_", "PORT", "QUEUE_", "EVENTS_"))
        }
        base |= {
            "ENVIRONMENT": "test",
            "LOG_JSON": "true",
            "EVENTS_EXCHANGE": exchange,
            "OUTBOX_POLL_INTERVAL_SECONDS": "0.2",
            "PYTHONUNBUFFERED": "1",
        } | self.extra_env
        for name in SERVICES:
            env = base | {"PORT": str(ports[name])}
            if name == "gateway":
                env |= {f"{s.upper()}_URL": f"http://127.0.0.1:{ports[s]}" for s in SERVICES[:3]}
                env.setdefault("UPSTREAM_TIMEOUT_SECONDS", "5")
            else:
                env |= {
                    "DATABASE_URL": testing.database_url(name, self.database),
                    "QUEUE_NAME": f"{exchange}.{name}",
                    # Tokens are verified against this stack's auth, not one on the usual port.
                    "AUTH_JWKS_URL": f"http://127.0.0.1:{ports['auth']}/api/v1/auth/jwks.json",
                }
            self.services[name] = ServiceProcess(
                name, ports[name], env, self.log_dir / f"{name}.log", python=self.python
            )

    @property
    def gateway(self) -> str:
        return self.services["gateway"].url

    def start(self, timeout: float = 30) -> None:
        """Start the four and wait until each is live (`timeout` seconds each at most)."""
        for service in self.services.values():
            service.start()
        for service in self.services.values():
            service.wait_live(timeout)

    def stop(self) -> None:
        for service in self.services.values():
            service.stop()

    def wait_ready(self, timeout: float = 120) -> httpx.Response:
        """Wait until the gateway reports every upstream ready; return that answer."""
        deadline = time.monotonic() + timeout
        answer = None
        while time.monotonic() < deadline:
            try:
                answer = httpx.get(f"{self.gateway}/api/v1/health/ready", timeout=5)
                if answer.status_code == 200:
                    return answer
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"not ready within {timeout}s: {answer.text if answer else 'no answer'}")

    def queues(self) -> list[str]:
        names = [s.env["QUEUE_NAME"] for s in self.services.values() if "QUEUE_NAME" in s.env]
        return names + [f"{n}.dlq" for n in names]
