"""The planner through the gateway on a realistic volume (benchmarks/dataset.py: 1,000 users
x 20 weeks, about 240,000 sessions), each request made as the next user; each PATCH writes a new
note on its user's last session."""

from collections.abc import Callable

from benchmarks.dataset import Dataset
from benchmarks.rounds import Case
from benchmarks.wrk import Request, rotation
from schediora_testkit.devstack import Stack

LOADS: dict[str, Callable[[Dataset], list[Request]]] = {
    "GET /sessions?week=current": lambda d: [
        Request("GET", "/api/v1/sessions?week=current", d.bearer[u]) for u in d.user_ids
    ],
    "PATCH /sessions/{id}": lambda d: [
        Request(
            "PATCH",
            f"/api/v1/sessions/{session_id}",
            d.bearer[u] | {"Content-Type": "application/json"},
            '{"notes": "benchmark note {n}"}',
        )
        for u, session_id in d.sessions.items()
    ],
    "GET /dashboard/summary?range=30d": lambda d: [
        Request("GET", "/api/v1/dashboard/summary?range=30d", d.bearer[u]) for u in d.user_ids
    ],
    "GET /plans/current": lambda d: [
        Request("GET", "/api/v1/plans/current", d.bearer[u]) for u in d.user_ids
    ],
}


def cases(dataset: Dataset) -> list[Case]:
    built = []
    for name, requests in LOADS.items():
        lua = rotation(requests(dataset))

        def load(stack: Stack, lua: str = lua) -> dict:
            return {"url": stack.gateway, "lua": lua}

        built += [Case(f"{name}, {c} c", c, "planner", load) for c in (16, 64)]
    return built
