"""`python -m benchmarks.hold`: boots the stack (or, with BENCH_BASELINE, the baseline's too),
seeds the dataset and waits, writing what a profiler needs (pids, URLs, a rotation script per
case) to `$BENCH_HOLD_DIR` (default /tmp/schediora-bench-hold); Ctrl-C or SIGTERM cleans up."""

import json
import os
import signal
import tempfile
import time
from pathlib import Path

from benchmarks import auth, dataset, planner
from benchmarks.__main__ import _throwaway_signing_key
from schediora_testkit.devstack import Stack


def main() -> None:
    out = Path(os.environ.get("BENCH_HOLD_DIR", tempfile.gettempdir() + "/schediora-bench-hold"))
    out.mkdir(parents=True, exist_ok=True)
    env = {
        "LOG_LEVEL": "WARNING",
        "ENVIRONMENT": "production",
        "JWT_SIGNING_KEY": _throwaway_signing_key(),
        "OUTBOX_POLL_INTERVAL_SECONDS": "1.0",
    }
    python = os.environ.get("BENCH_PYTHON")
    with tempfile.TemporaryDirectory(prefix="schediora-hold-") as logs:
        stack = Stack(Path(logs), env, **({"python": python} if python else {}))
        stack.start()
        try:
            stack.wait_ready()
            data = dataset.create(stack)
            try:
                info = {n: {"pid": s.process.pid, "url": s.url} for n, s in stack.services.items()}
                (out / "stack.json").write_text(json.dumps(info, indent=1))
                for case in [*auth.cases(data), *planner.cases(data)]:
                    if "refresh" in case.name:
                        continue
                    slug = case.name.split(",")[0].replace(" ", "_").replace("/", "-")
                    (out / f"{slug}.lua").write_text(case.load(stack)["lua"])
                print(f"ready: {out}", flush=True)
                signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
            finally:
                dataset.remove_all(stack, data)
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
