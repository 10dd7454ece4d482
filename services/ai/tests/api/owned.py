"""A student with what the ai keeps for one: three generations, feedback on two of them (the
data of the isolation matrix and the response sweep, docs/reliability.md items 31 and 32)."""

from dataclasses import dataclass, field

import httpx

from .requests import plan_request
from .test_generations import FEEDBACK, outcome, send


@dataclass
class Owned:
    """The ids one student owns: `generation_id` (three) and `feedback_id` (two)."""

    ids: dict[str, list[str]] = field(default_factory=dict)

    def all_ids(self) -> list[str]:
        return [value for values in self.ids.values() for value in values]

    def first(self) -> dict[str, str]:
        return {name: values[0] for name, values in self.ids.items()}


async def owned_data(client: httpx.AsyncClient, app, settings, user, name: str) -> Owned:
    """Three generations for `user`, as the planner's requests make them, and feedback (whose
    comment says `name`'s) on the first two."""
    requests = [plan_request(user.id) for _ in range(3)]
    await send(settings, *requests)
    for request in requests:
        await outcome(app, request.job_id)
    generations = [str(request.job_id) for request in requests]
    feedback = []
    for generation_id in generations[:2]:
        body = {"generation_id": generation_id, "rating": 4, "comments": f"{name}'s note"}
        given = await client.post(FEEDBACK, json=body, headers=user.headers)
        assert given.status_code == 201, given.text
        feedback.append(given.json()["id"])
    return Owned(ids={"generation_id": generations, "feedback_id": feedback})
