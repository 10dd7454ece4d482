"""What the gateway hop adds: GET /users/me straight to auth and through the gateway, at 64
connections; the difference in throughput and the gateway's CPU per request are the hop."""

from benchmarks.auth import users_me
from benchmarks.dataset import Dataset
from benchmarks.rounds import Case


def cases(dataset: Dataset) -> list[Case]:
    return [users_me(dataset, 64, direct=True), users_me(dataset, 64)]
