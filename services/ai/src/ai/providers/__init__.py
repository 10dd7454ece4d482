"""Plan providers behind one interface (docs/architecture.md: AI). Whatever a provider returns
is checked by the one validator before anything is published."""

from time import perf_counter
from typing import Protocol, runtime_checkable

from ai.providers.provenance import Made, Provenance
from ai.scheduling.schedule import NoFeasiblePlan, Schedule
from schediora_contracts import PlanRequested


class Provider(Protocol):
    name: str
    model: str | None

    async def plan(self, request: PlanRequested) -> Schedule:
        """A schedule for the request, or `NoFeasiblePlan` saying why there is none."""
        ...


@runtime_checkable
class ExplainingProvider(Protocol):
    """A provider with more to tell than its schedule (the LLM's attempts, a fallback)."""

    @property
    def most_llm_tokens(self) -> int:
        """The most LLM tokens one generation's answers may cost (reserved from the budget)."""
        ...

    async def plan_with_provenance(
        self, request: PlanRequested, *, llm_allowed: bool = True
    ) -> Made: ...


def most_llm_tokens(provider: Provider) -> int:
    """What a generation of `provider` reserves from the user's LLM budget (0: it asks none)."""
    return provider.most_llm_tokens if isinstance(provider, ExplainingProvider) else 0


async def make_plan(
    provider: Provider, request: PlanRequested, *, llm_allowed: bool = True
) -> Made:
    """The provider's schedule, or the `NoFeasiblePlan` it raised, with how it was made.
    `llm_allowed=False`: the user's token budget is spent, so no LLM may be asked."""
    if isinstance(provider, ExplainingProvider):
        return await provider.plan_with_provenance(request, llm_allowed=llm_allowed)
    provenance = Provenance(provider=provider.name, model=provider.model, path="local")
    started = perf_counter()
    try:
        schedule = await provider.plan(request)
    except NoFeasiblePlan as error:
        return Made(provenance, error=error)
    finally:
        provenance.latency_ms = elapsed_ms(started)
    return Made(provenance, schedule=schedule)


def elapsed_ms(started: float) -> int:
    return round((perf_counter() - started) * 1000)
