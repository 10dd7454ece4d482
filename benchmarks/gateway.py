"""What the gateway hop adds: the same upstream route called directly and through the gateway."""

from benchmarks.wrk import HEADER, LoadResult, run
from schediora_runtime.devstack import Stack

# Without a token auth answers this route with a 401 before touching the database, so the
# difference between the two runs is the gateway: parsing, routing, the pooled upstream call and
# the copy back.
PATH = "/api/v1/users/me"


def section(stack: Stack) -> str:
    auth = stack.services["auth"].url
    results: list[LoadResult] = [
        run("gateway only: GET /api/v1/health/live", f"{stack.gateway}/api/v1/health/live"),
        run(f"auth direct: GET {PATH} (401, no database)", f"{auth}{PATH}"),
        run(f"through gateway: GET {PATH} (401, no database)", f"{stack.gateway}{PATH}"),
    ]
    direct, proxied = results[1], results[2]
    added = proxied.p50_ms - direct.p50_ms
    return "\n".join(
        [
            "## Gateway hop (64 connections, 10 s each, wrk on the same 2 cores)",
            "",
            HEADER,
            *(r.row() for r in results),
            "",
            f"Added by the gateway at p50: {added:.2f} ms; throughput through the gateway is "
            f"{proxied.throughput / direct.throughput:.0%} of auth alone.",
        ]
    )
