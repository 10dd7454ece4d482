"""A generation's three steps on the real database: `running` and Started committed before the
plan is made, no connection held while it is made, the outcome and the claim committed together;
a redelivery of a `running` generation makes it again (one Started, one outcome), one of a
finished generation writes nothing; a plan short of an exam's need carries its warning."""

import asyncio
import uuid
from datetime import timedelta

from ai.generations import service
from ai.generations.models import Generation
from ai.providers.local import LocalProvider
from schediora_contracts import PlanGenerated, PlanGenerationStarted
from schediora_contracts.common import SubjectSnapshot

from ..api.requests import WEEK_START, plan_request, published
from ..llm.plans import new_delivery


class GatheringProvider:
    """The local solver, answering once `parties` generations are inside their call at the
    same time (a generation that held a connection meanwhile would keep the others out of a
    smaller pool, and the gathering would never complete)."""

    name = "local"
    model = "cp-sat"

    def __init__(self, parties: int) -> None:
        self.barrier = asyncio.Barrier(parties)
        self.solver = LocalProvider()

    async def plan(self, request):
        await asyncio.wait_for(self.barrier.wait(), timeout=120)
        return await self.solver.plan(request)


async def stored(app, job_id) -> Generation:
    async with app.state.runtime.sessionmaker() as session:
        generation = await session.get(Generation, job_id)
    assert generation is not None
    return generation


async def test_running_and_started_commit_before_the_plan_is_made(
    running_app,
):
    runtime = running_app.state.runtime
    provider = LocalProvider()
    request = plan_request(uuid.uuid4())
    claim = new_delivery()

    begun = await service.begin(runtime.sessionmaker, request, provider, claim)

    generation = await stored(running_app, request.job_id)
    assert (generation.status, generation.finished_at) == ("running", None)
    events = await published(running_app, request.job_id)
    assert [kind for kind, _ in events] == [PlanGenerationStarted.event_type]
    started = PlanGenerationStarted.model_validate(events[0][1])
    assert started.started_at == generation.created_at

    assert begun.request is not None
    outcome = await service.make(begun.request, provider)
    assert await service.finish(runtime.sessionmaker, begun.request, outcome, claim) is True

    generation = await stored(running_app, request.job_id)
    assert generation.status == "completed"
    assert generation.created_at <= generation.finished_at
    kinds = [kind for kind, _ in await published(running_app, request.job_id)]
    assert kinds == [PlanGenerationStarted.event_type, PlanGenerated.event_type]


async def test_more_generations_than_pooled_connections_run_at_once_holding_none(running_app):
    """Twelve plans made at the same moment by a process with ten pooled connections: while
    all twelve are being made, none of them holds a connection."""
    runtime = running_app.state.runtime
    assert runtime.settings.database_pool_size == 10
    provider = GatheringProvider(parties=12)
    requests = [plan_request(uuid.uuid4()) for _ in range(12)]

    applied = await asyncio.gather(
        *(
            service.generate(runtime.sessionmaker, request, provider, new_delivery())
            for request in requests
        )
    )

    assert applied == [True] * 12
    for request in requests:
        assert (await stored(running_app, request.job_id)).status == "completed"


async def test_a_redelivered_request_whose_generation_is_running_is_made_again_once(running_app):
    """The process died after step 1 (the generation `running`, Started written): the
    redelivery makes the plan, with no second Started."""
    runtime = running_app.state.runtime
    provider = LocalProvider()
    request = plan_request(uuid.uuid4())
    await service.begin(runtime.sessionmaker, request, provider, new_delivery())

    assert await service.generate(runtime.sessionmaker, request, provider, new_delivery())

    kinds = [kind for kind, _ in await published(running_app, request.job_id)]
    assert kinds == [PlanGenerationStarted.event_type, PlanGenerated.event_type]
    assert (await stored(running_app, request.job_id)).status == "completed"


async def test_a_redelivered_request_whose_generation_is_finished_writes_nothing(running_app):
    runtime = running_app.state.runtime
    provider = LocalProvider()
    request = plan_request(uuid.uuid4())
    first = new_delivery()
    assert await service.generate(runtime.sessionmaker, request, provider, first)
    before = await published(running_app, request.job_id)

    # The same delivery again (killed after commit, before the ack) is a duplicate; another
    # delivery of the request (the planner's own retry) finds the generation done.
    assert await service.generate(runtime.sessionmaker, request, provider, first) is False
    assert await service.generate(runtime.sessionmaker, request, provider, new_delivery())

    assert await published(running_app, request.job_id) == before


async def test_an_exam_the_week_cannot_prepare_for_is_a_warning_with_its_minutes(running_app):
    runtime = running_app.state.runtime
    tight = SubjectSnapshot(
        subject_id=uuid.uuid4(),
        name="Calculus",
        exam_date=WEEK_START + timedelta(days=1),
        difficulty=5,
        target_minutes_per_week=600,
    )
    relaxed = SubjectSnapshot(subject_id=uuid.uuid4(), name="Biology", difficulty=1)
    request = plan_request(uuid.uuid4(), subjects=(tight, relaxed))

    await service.generate(runtime.sessionmaker, request, LocalProvider(), new_delivery())

    events = dict(await published(running_app, request.job_id))
    plan = PlanGenerated.model_validate(events[PlanGenerated.event_type])
    planned = sum(
        int((s.ends_at - s.starts_at).total_seconds() // 60)
        for s in plan.sessions
        if s.subject_id == tight.subject_id
    )
    (warning,) = plan.warnings
    assert (warning.code, warning.subject_id) == ("exam_not_covered", tight.subject_id)
    assert warning.planned_minutes == planned < warning.needed_minutes == 600


async def test_a_plan_that_meets_every_exam_need_has_no_warning(running_app):
    runtime = running_app.state.runtime
    request = plan_request(uuid.uuid4())

    await service.generate(runtime.sessionmaker, request, LocalProvider(), new_delivery())

    events = dict(await published(running_app, request.job_id))
    assert PlanGenerated.model_validate(events[PlanGenerated.event_type]).warnings == ()
