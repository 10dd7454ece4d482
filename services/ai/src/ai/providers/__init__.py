"""Plan providers behind one interface (DESIGN.md: AI generation). Whatever a provider returns
is checked by the one validator before anything is published."""

from typing import Protocol

from ai.scheduling.schedule import Schedule
from schediora_contracts import PlanRequested


class Provider(Protocol):
    name: str
    model: str | None

    async def plan(self, request: PlanRequested) -> Schedule:
        """A schedule for the request, or `NoFeasiblePlan` saying why there is none."""
        ...
