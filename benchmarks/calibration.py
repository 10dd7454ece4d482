"""The calibration: a trivial async FastAPI route in a process of its own (uvicorn, uvloop,
httptools, one worker), loaded exactly like the services. Every case is also printed as a ratio
to it, so figures taken on a machine whose speed swings from day to day can be compared."""

import subprocess
import sys
import time
from pathlib import Path

import httpx
from fastapi import FastAPI

from schediora_testkit.devstack import free_port

app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


@app.get("/ping")
async def ping() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/api/v1/users/me")
async def me() -> dict[str, str]:
    """The same trivial answer under a path the gateway forwards (benchmarks/gateway_floor.py)."""
    return {"status": "ok"}


class Calibration:
    """The calibration app as a process; `url` is its route."""

    def __init__(self, log_path: Path) -> None:
        self.port = free_port()
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/ping"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> None:
        command = [sys.executable, "-m", "uvicorn", "benchmarks.calibration:app"]
        command += ["--loop", "uvloop", "--http", "httptools", "--workers", "1"]
        command += ["--port", str(self.port), "--no-access-log", "--log-level", "warning"]
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            command, stdout=self.log_path.open("ab"), stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 120  # a busy shared box imports slowly
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url, timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise TimeoutError("the calibration app did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
