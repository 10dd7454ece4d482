"""`python -m benchmarks`: boots the four services as processes and prints each section."""

import sys
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from benchmarks import auth, feedback, gateway, plan_flow, plan_quality, planner, propagation
from schediora_runtime.devstack import Stack

SECTIONS = {
    "gateway": gateway.section,
    "auth": auth.section,
    "planner": planner.section,
    "plan_flow": plan_flow.section,
    "plan_quality": plan_quality.section,
    "feedback": feedback.section,
    "propagation": propagation.section,
}


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


def main(names: list[str]) -> int:
    chosen = names or list(SECTIONS)
    with tempfile.TemporaryDirectory(prefix="schediora-bench-") as logs:
        # Benchmarks measure the services, not the log pipe: warnings only. In production auth
        # refuses to start without a signing key: a throwaway one serves the run.
        stack = Stack(
            Path(logs),
            extra_env={
                "LOG_LEVEL": "WARNING",
                "ENVIRONMENT": "production",
                "JWT_SIGNING_KEY": _throwaway_signing_key(),
            },
        )
        stack.start()
        try:
            stack.wait_ready()
            for name in chosen:
                print(SECTIONS[name](stack), flush=True)
                print()
        finally:
            stack.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
