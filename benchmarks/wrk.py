"""Runs wrk (the standard HTTP load generator) and reads its figures."""

import json
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).with_name("percentiles.lua")
ROTATION = Path(__file__).with_name("rotation.lua")
CHAIN = Path(__file__).with_name("chain.lua")


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


@dataclass(frozen=True)
class Request:
    """One request of a rotation. `{n}` in the body becomes a value unique to each request sent,
    so that a write really changes its row every time."""

    method: str
    path: str
    headers: dict[str, str]
    body: str | None = None


def _lua_string(value: str) -> str:
    level = 0
    while f"]{'=' * level}]" in value:
        level += 1
    return f"[{'=' * level}[{value}]{'=' * level}]"


def _lua_request(request: Request) -> str:
    headers = ", ".join(
        f"[ {_lua_string(name)} ] = {_lua_string(value)}" for name, value in request.headers.items()
    )
    parts = ", ".join(_lua_string(part) for part in (request.body or "").split("{n}"))
    body = f"{{{parts}}}" if request.body is not None else "nil"
    method, path = _lua_string(request.method), _lua_string(request.path)
    return f"  {{{method}, {path}, {{{headers}}}, {body}}},"


def rotation(requests: Sequence[Request]) -> str:
    """Lua that sends `requests` in turn, each wrk thread starting at its own share of the list:
    the load spreads over many users and rows instead of one hot row (rotation.lua)."""
    return "\n".join(["requests = {", *map(_lua_request, requests), "}", ROTATION.read_text()])


def chain(path: str, headers: dict[str, str], tokens: Sequence[str]) -> str:
    """Lua that POSTs `{"refresh_token": ...}` to `path`, each token once, and spends next the
    token each answer returns (chain.lua): a closed loop of refresh-token rotations."""
    header_table = ", ".join(f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in headers.items())
    return "\n".join(
        [
            f"path = {_lua_string(path)}",
            f"headers = {{{header_table}}}",
            "tokens = {",
            *(f"  {_lua_string(token)}," for token in tokens),
            "}",
            CHAIN.read_text(),
        ]
    )


def _request_script(method: str, body: str) -> str:
    """wrk sends a body only from Lua: set the request, then report as percentiles.lua does."""
    return f'wrk.method = "{method}"\nwrk.body = {_lua_string(body)}\n'


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
    lua: str | None = None,
    timeout_seconds: int = 2,
) -> LoadResult:
    """Load `url` (its scheme and host, with `lua`: see `rotation`) and read wrk's figures."""
    executable = shutil.which("wrk")
    if executable is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    if lua is None and (body is not None or method != "GET"):
        lua = _request_script(method, body or "")
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        if lua is not None:
            script.write(f"THREADS = {threads}\n{lua}\n{SCRIPT.read_text()}")
            script.flush()
        path = script.name if lua is not None else str(SCRIPT)
        command = [executable, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "-s", path]
        command += ["--timeout", f"{timeout_seconds}s"]
        for key, value in (headers or {}).items():
            command += ["-H", f"{key}: {value}"]
        finished = subprocess.run(  # noqa: S603 - wrk with our own arguments
            [*command, url], capture_output=True, text=True, check=True
        )
    # wrk exits 0 even when its script fails: then the report line is missing.
    line = next((line for line in finished.stdout.splitlines() if line.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk reported nothing for {name}: {finished.stderr[-2000:]}")
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
