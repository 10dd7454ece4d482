"""The gateway alone: a gateway process whose every upstream is the calibration app, loaded
beside the calibration itself. The upstream does next to nothing, so the gateway's CPU per
request here is the hop's own floor (server side, client side, and the layers around them),
whatever the services behind it cost."""

import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path

from benchmarks.calibration import Calibration
from benchmarks.cpu import CpuMeter
from benchmarks.rounds import ROUNDS, SECONDS
from benchmarks.wrk import LoadResult, run
from schediora_testkit import testing
from schediora_testkit.devstack import ServiceProcess, Stack, free_port

CONNECTIONS = (16, 64)


def section(stack: Stack) -> str:
    with tempfile.TemporaryDirectory(prefix="schediora-gateway-floor-") as logs:
        calibration = Calibration(Path(logs) / "upstream.log")
        calibration.start()
        base = f"http://127.0.0.1:{calibration.port}"
        template = stack.services["gateway"]
        env = template.env | {"PORT": str(free_port())}
        env |= {f"{name}_URL": base for name in ("AUTH", "PLANNER", "AI")}
        gateway = ServiceProcess("gateway", int(env["PORT"]), env, Path(logs) / "gateway.log")
        gateway.python = template.python
        meter = CpuMeter(testing.libpq_url(testing.database_url()), testing.test_database_name())
        try:
            gateway.start()
            gateway.wait_live(120)
            rows = []
            for connections in CONNECTIONS:
                rows += _measure(meter, calibration, gateway, connections)
        finally:
            meter.close()
            gateway.stop()
            calibration.stop()
    return "\n".join(
        [
            f"## The gateway alone over a trivial upstream ({ROUNDS} rounds of {SECONDS} s, "
            "medians)",
            "",
            "| path | connections | req/s | p50 ms | p99 ms | errors | CPU ms/req gateway "
            "| upstream |",
            "|---|---|---|---|---|---|---|---|",
            *rows,
        ]
    )


def _measure(
    meter: CpuMeter, calibration: Calibration, gateway: ServiceProcess, connections: int
) -> list[str]:
    assert gateway.process is not None
    roots = {"gateway": gateway.process.pid, "upstream": calibration.pid}
    paths = {
        "upstream direct": calibration.url.replace("/ping", "/api/v1/users/me"),
        "through the gateway": f"{gateway.url}/api/v1/users/me",
    }
    runs: dict[str, Measures] = {name: [] for name in paths}
    for name, url in paths.items():  # warm-up: connections, imports, first requests
        run(name, url, connections=connections, seconds=1)
    for _ in range(ROUNDS):
        for name, url in paths.items():
            before = meter.snapshot(roots)
            result = run(name, url, connections=connections, seconds=SECONDS)
            runs[name].append((result, CpuMeter.spent(before, meter.snapshot(roots))))
    rows = []
    for name, measures in runs.items():
        rows.append(
            f"| {name} | {connections} | {_median(measures, lambda r, _: r.throughput):,.0f} | "
            f"{_median(measures, lambda r, _: r.p50_ms):.2f} | "
            f"{_median(measures, lambda r, _: r.p99_ms):.2f} | "
            f"{max(r.errors + r.non_2xx_3xx for r, _ in measures)} | "
            + (
                "- | "
                if name == "upstream direct"
                else f"{_median(measures, _per_request('gateway')):.3f} | "
            )
            + f"{_median(measures, _per_request('upstream')):.3f} |"
        )
    return rows


Measures = list[tuple[LoadResult, dict[str, float]]]


def _median(measures: Measures, figure: Callable[[LoadResult, dict[str, float]], float]) -> float:
    return statistics.median(figure(result, cpu) for result, cpu in measures)


def _per_request(process: str) -> Callable[[LoadResult, dict[str, float]], float]:
    """Milliseconds of `process`'s CPU per request."""
    return lambda result, cpu: cpu[process] / max(result.requests, 1) * 1000
