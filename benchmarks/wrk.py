"""Runs wrk (the standard HTTP load generator) and reads its figures."""

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).with_name("percentiles.lua")


@dataclass(frozen=True)
class LoadResult:
    name: str
    requests: int
    seconds: float
    errors: int
    non_2xx_3xx: int
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    def row(self) -> str:
        return (
            f"| {self.name} | {self.throughput:,.0f} | {self.p50_ms:.2f} | {self.p95_ms:.2f} | "
            f"{self.p99_ms:.2f} | {self.errors} |"
        )


HEADER = "| target | req/s | p50 ms | p95 ms | p99 ms | socket errors |\n|---|---|---|---|---|---|"


def _request_script(method: str, body: str) -> str:
    """wrk sends a body only from Lua: set the request, then report as percentiles.lua does."""
    if "]==]" in body:
        raise ValueError("the body cannot be quoted as a Lua long string")
    return f'wrk.method = "{method}"\nwrk.body = [==[{body}]==]\n' + SCRIPT.read_text()


def run(
    name: str,
    url: str,
    *,
    connections: int = 64,
    seconds: int = 10,
    threads: int = 2,
    headers: dict[str, str] | None = None,
    method: str = "GET",
    body: str | None = None,
    timeout_seconds: int = 2,
) -> LoadResult:
    executable = shutil.which("wrk")
    if executable is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        if body is not None or method != "GET":
            script.write(_request_script(method, body or ""))
            script.flush()
        path = script.name if (body is not None or method != "GET") else str(SCRIPT)
        command = [executable, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "-s", path]
        command += ["--timeout", f"{timeout_seconds}s"]
        for key, value in (headers or {}).items():
            command += ["-H", f"{key}: {value}"]
        output = subprocess.run(  # noqa: S603 - wrk with our own arguments
            [*command, url], capture_output=True, text=True, check=True
        ).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    figures = json.loads(line.removeprefix("RESULT "))
    return LoadResult(
        name=name,
        requests=figures["requests"],
        seconds=figures["duration_us"] / 1e6,
        errors=figures["connect_errors"]
        + figures["read_errors"]
        + figures["write_errors"]
        + figures["timeouts"],
        non_2xx_3xx=figures["non_2xx_3xx"],
        p50_ms=figures["p50_us"] / 1000,
        p95_ms=figures["p95_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
    )
