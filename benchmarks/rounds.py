"""Load cases measured in rounds against one or more stacks, beside the calibration.

Each round loads the calibration route at every connection count in use, then every case on
every stack in turn; the tables give each figure's median over the rounds (errors: the most
any round saw). Throughput is also printed as a ratio to the same round's calibration at the
same connection count, and CPU as milliseconds per request of each process involved."""

import os
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from benchmarks.calibration import Calibration
from benchmarks.cpu import CpuMeter
from benchmarks.wrk import LoadResult, run
from schediora_testkit.devstack import Stack

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
WARMUP_SECONDS = int(os.environ.get("BENCH_WARMUP_SECONDS", "3"))
"""Long enough to send a whole rotation (1,000 users) once before the first round: a token is
verified once and then served from the cache, so a 1 s warm-up left ~half of round 1 paying
an EdDSA verification (~0.2 ms) per request that no later round pays."""


@dataclass
class Target:
    """A stack under test: `label` names it in the tables (e.g. before / after)."""

    label: str
    stack: Stack

    def roots(self) -> dict[str, int]:
        return {
            name: service.process.pid
            for name, service in self.stack.services.items()
            if service.process is not None
        }


@dataclass(frozen=True)
class Case:
    """One load: `load(stack)` gives wrk's arguments (url, lua, headers, ...) right before each
    run; `service` is the upstream whose CPU the table shows beside the gateway's."""

    name: str
    connections: int
    service: str
    load: Callable[[Stack], dict[str, Any]]
    through_gateway: bool = True


@dataclass
class Measure:
    result: LoadResult
    cpu: dict[str, float]
    calibration: float

    def per_request(self, process: str) -> float:
        """Milliseconds of CPU per request."""
        return self.cpu.get(process, 0.0) / max(self.result.requests, 1) * 1000


@dataclass
class Bench:
    targets: Sequence[Target]
    meter: CpuMeter
    calibration: Calibration
    results: dict[tuple[str, str], list[Measure]] = field(default_factory=dict)
    calibrations: dict[int, list[Measure]] = field(default_factory=dict)

    def measure(self, cases: Sequence[Case], rounds: int = ROUNDS, seconds: int = SECONDS) -> None:
        for round_index in range(rounds):
            reference = {
                c: self._calibrate(c, seconds) for c in sorted({c.connections for c in cases})
            }
            for case in cases:
                for target in self.targets:
                    if round_index == 0:  # warm the pools, caches and plans up
                        run(
                            case.name,
                            connections=case.connections,
                            seconds=WARMUP_SECONDS,
                            **case.load(target.stack),
                        )
                    roots = target.roots()
                    before = self.meter.snapshot(roots)
                    result = run(
                        case.name,
                        connections=case.connections,
                        seconds=seconds,
                        **case.load(target.stack),
                    )
                    spent = CpuMeter.spent(before, self.meter.snapshot(roots))
                    self.results.setdefault((case.name, target.label), []).append(
                        Measure(result, spent, reference[case.connections])
                    )

    def _calibrate(self, connections: int, seconds: int) -> float:
        roots = {"calibration": self.calibration.pid}
        before = self.meter.snapshot(roots)
        result = run("calibration", self.calibration.url, connections=connections, seconds=seconds)
        spent = CpuMeter.spent(before, self.meter.snapshot(roots))
        self.calibrations.setdefault(connections, []).append(
            Measure(result, spent, result.throughput)
        )
        return result.throughput

    def calibration_table(self) -> str:
        lines = [
            "| calibration | req/s | p50 ms | p95 ms | p99 ms | errors | CPU ms/req |",
            "|---|---|---|---|---|---|---|",
        ]
        for connections, measures in sorted(self.calibrations.items()):
            lines.append(
                f"| GET /ping, {connections} connections | "
                f"{_median(m.result.throughput for m in measures):,.0f} | "
                f"{_median(m.result.p50_ms for m in measures):.2f} | "
                f"{_median(m.result.p95_ms for m in measures):.2f} | "
                f"{_median(m.result.p99_ms for m in measures):.2f} | "
                f"{max(m.result.errors + m.result.non_2xx_3xx for m in measures)} | "
                f"{_median(m.per_request('calibration') for m in measures):.3f} |"
            )
        return "\n".join(lines)

    def table(self, cases: Sequence[Case]) -> str:
        lines = [
            "| case | stack | req/s | x calib | p50 ms | p95 ms | p99 ms | p99/p50 | non-2xx "
            "| errors | CPU ms/req gateway | service | postgres | gateway share |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for case in cases:
            for target in self.targets:
                measures = self.results.get((case.name, target.label))
                if not measures:
                    continue
                gateway = _median(m.per_request("gateway") for m in measures)
                service = _median(m.per_request(case.service) for m in measures)
                postgres = _median(m.per_request("postgres") for m in measures)
                share = (
                    gateway / (service + postgres)
                    if case.through_gateway and service + postgres
                    else 0
                )
                lines.append(
                    f"| {case.name} | {target.label} | "
                    f"{_median(m.result.throughput for m in measures):,.0f} | "
                    f"{_median(m.result.throughput / m.calibration for m in measures):.3f} | "
                    f"{_median(m.result.p50_ms for m in measures):.1f} | "
                    f"{_median(m.result.p95_ms for m in measures):.1f} | "
                    f"{_median(m.result.p99_ms for m in measures):.1f} | "
                    f"{_median(_tail(m.result) for m in measures):.1f} | "
                    f"{max(m.result.non_2xx_3xx for m in measures)} | "
                    f"{max(m.result.errors for m in measures)} | "
                    f"{gateway:.3f} | {service:.3f} | {postgres:.3f} | "
                    + (f"{share:.0%} |" if case.through_gateway else "- |")
                )
        return "\n".join(lines)


def _tail(result: LoadResult) -> float:
    """p99 over p50: how far the slowest requests are from the typical one."""
    return result.p99_ms / max(result.p50_ms, 0.001)


def _median(values: Any) -> float:
    return statistics.median(list(values))
