"""`python -m benchmarks [section ...]`: boots the four services as processes and prints each
section. The load sections (auth, planner, gateway) run in rounds beside the calibration route
(benchmarks/rounds.py). With `BENCH_BASELINE=<another checkout>` a second stack runs that
checkout's code (its own `.venv`) on the same database, and every case is measured on both in
the same rounds: the tables then read before / after."""

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from benchmarks import (
    auth,
    calendar,
    dataset,
    feedback,
    gateway,
    gateway_floor,
    plan_flow,
    plan_flow_llm,
    plan_quality,
    planner,
    propagation,
    revocation,
    sse,
)
from benchmarks.calibration import Calibration
from benchmarks.cpu import CpuMeter
from benchmarks.rounds import ROUNDS, SECONDS, Bench, Case, Target
from schediora_testkit import testing
from schediora_testkit.devstack import Stack

LOAD_SECTIONS: dict[str, tuple[str, Callable[[dataset.Dataset], list[Case]]]] = {
    "auth": ("Auth through the gateway", auth.cases),
    "planner": ("Planner through the gateway", planner.cases),
    "gateway": ("Gateway hop: auth direct against through the gateway", gateway.cases),
    "calendar": ("Calendar feed through the gateway (no Authorization)", calendar.cases),
}
OTHER_SECTIONS: dict[str, Callable[[Stack], str]] = {
    "login": auth.login_section,
    "gateway_floor": gateway_floor.section,
    "plan_flow": plan_flow.section,
    "plan_flow_llm": plan_flow_llm.section,
    "plan_quality": plan_quality.section,
    "feedback": feedback.section,
    "propagation": propagation.section,
    "revocation": revocation.section,
    "sse": sse.section,
}
SECTIONS = [*LOAD_SECTIONS, *OTHER_SECTIONS]


def _throwaway_signing_key() -> str:
    return (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


def _check(target: Target, data: dataset.Dataset) -> None:
    """One request of each read before the load: a benchmark of error answers measures nothing."""
    user = data.user_ids[0]
    for path in (
        "/users/me",
        "/sessions?week=current",
        "/dashboard/summary?range=30d",
        "/plans/current",
    ):
        response = httpx.get(
            f"{target.stack.gateway}/api/v1{path}", headers=data.bearer[user], timeout=10
        )
        if response.status_code != 200:
            raise RuntimeError(
                f"{target.label}: GET {path}: {response.status_code} {response.text}"
            )


def main(names: list[str]) -> int:
    chosen = names or SECTIONS
    if unknown := set(chosen) - set(SECTIONS):
        raise SystemExit(f"unknown sections {sorted(unknown)}; choose from {SECTIONS}")
    baseline = os.environ.get("BENCH_BASELINE")
    # Benchmarks measure the services, not the log pipe: warnings only. In production auth
    # refuses to start without a signing key: a throwaway one (shared by both stacks) serves.
    env = {
        "LOG_LEVEL": "WARNING",
        "ENVIRONMENT": "production",
        "JWT_SIGNING_KEY": _throwaway_signing_key(),
        "OUTBOX_POLL_INTERVAL_SECONDS": "1.0",
    }
    with tempfile.TemporaryDirectory(prefix="schediora-bench-") as logs:
        targets = []
        if baseline:
            (Path(logs) / "before").mkdir()
            python = str(Path(baseline).resolve() / ".venv" / "bin" / "python")
            targets.append(Target("before", Stack(Path(logs) / "before", env, python=python)))
        (Path(logs) / "this").mkdir()
        targets.append(Target("after" if baseline else "this", Stack(Path(logs) / "this", env)))
        calibration = Calibration(Path(logs) / "calibration.log")
        meter = CpuMeter(testing.libpq_url(testing.database_url()), testing.test_database_name())
        try:
            calibration.start()
            for target in targets:
                target.stack.start(timeout=120)  # a busy shared box imports slowly
                target.stack.wait_ready()
            current = targets[-1].stack
            loads = [name for name in chosen if name in LOAD_SECTIONS]
            if loads:
                data = dataset.create(current)
                try:
                    for target in targets:
                        _check(target, data)
                    _measure(targets, meter, calibration, data, loads)
                finally:
                    dataset.remove_all(current, data)
            for name in chosen:
                if name in OTHER_SECTIONS:
                    print(OTHER_SECTIONS[name](current), flush=True)
                    print()
        finally:
            meter.close()
            calibration.stop()
            for target in targets:
                target.stack.stop()
    return 0


def _measure(
    targets: list[Target],
    meter: CpuMeter,
    calibration: Calibration,
    data: dataset.Dataset,
    loads: list[str],
) -> None:
    print(
        f"Seeded {len(data.sessions):,} users x {dataset.WEEKS} weeks: {data.plans:,} active "
        f"plans, {data.session_count:,} sessions in {data.seconds:.1f} s. {ROUNDS} rounds "
        f"of {SECONDS} s per case, medians; wrk (2 threads) on the same cores; CPU in ms a "
        "request.\n",
        flush=True,
    )
    for name in loads:
        title, make_cases = LOAD_SECTIONS[name]
        cases = make_cases(data)
        bench = Bench(targets, meter, calibration)
        bench.measure(cases)
        print(f"## {title}\n\n{bench.calibration_table()}\n\n{bench.table(cases)}\n", flush=True)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
