"""The iCal feed through the gateway on the seeded volume (benchmarks/dataset.py: 20 weeks of
sessions per user): what a calendar app's hourly poll costs. Each of `FEED_USERS` users makes
their feed once (POST /calendar/feed, outside the timed part); wrk then fetches the feeds in
turn without Authorization, as a calendar app does, either in full (200) or revalidating with
the tag it already has (304). A feed holds the sessions that ended at most 30 days ago and all
later ones: about 5 of the 20 weeks, 50-70 events with their alarms."""

import httpx

from benchmarks.dataset import Dataset
from benchmarks.rounds import Case
from benchmarks.wrk import Request, rotation
from schediora_testkit.devstack import Stack

FEED_USERS = 200


class Feeds:
    """The seeded users' feed paths and current tags, made on the first run of a stack."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.made: dict[str, list[tuple[str, str]]] = {}

    def of(self, stack: Stack) -> list[tuple[str, str]]:
        if stack.gateway not in self.made:
            found = []
            with httpx.Client(base_url=f"{stack.gateway}/api/v1", timeout=30) as client:
                for user in self.dataset.user_ids[:FEED_USERS]:
                    made = client.post("/calendar/feed", headers=self.dataset.bearer[user])
                    made.raise_for_status()
                    path = httpx.URL(made.json()["url"]).path
                    feed = client.get(path.removeprefix("/api/v1"))
                    feed.raise_for_status()
                    found.append((path, feed.headers["etag"]))
            self.made[stack.gateway] = found
        return self.made[stack.gateway]


def cases(dataset: Dataset) -> list[Case]:
    feeds = Feeds(dataset)

    def full(stack: Stack) -> dict:
        requests = [Request("GET", path, {}) for path, _ in feeds.of(stack)]
        return {"url": stack.gateway, "lua": rotation(requests)}

    def revalidate(stack: Stack) -> dict:
        requests = [Request("GET", path, {"If-None-Match": etag}) for path, etag in feeds.of(stack)]
        return {"url": stack.gateway, "lua": rotation(requests)}

    return [
        *(Case(f"GET /calendar/feed/{{token}}.ics, {c} c", c, "planner", full) for c in (16, 64)),
        Case("GET /calendar/feed/{token}.ics If-None-Match (304), 16 c", 16, "planner", revalidate),
    ]
