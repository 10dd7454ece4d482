"""Whatever made a schedule, the validator runs before anything is published: a provider that
breaks a hard constraint gets its job failed with `invalid_plan`, and no plan leaves."""

import uuid
from datetime import timedelta

from ai.generations import service
from ai.generations.models import Generation
from ai.scheduling.schedule import Schedule
from schediora_contracts.common import PlannedSession

from ..api.requests import plan_request, published
from ..llm.plans import new_delivery


class OverlappingProvider:
    """Two sessions at the same time, outside every availability window."""

    name = "test"
    model = None

    async def plan(self, request):
        subject = request.subjects[0]
        starts_at = request.requested_at + timedelta(days=2)
        session = PlannedSession(
            subject_id=subject.subject_id,
            title=subject.name,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=50),
        )
        return Schedule(sessions=(session, session))


async def test_an_invalid_schedule_is_never_published(running_app):
    request = plan_request(uuid.uuid4())
    await service.generate(
        running_app.state.runtime.sessionmaker, request, OverlappingProvider(), new_delivery()
    )
    events = await published(running_app, request.job_id)
    assert [kind for kind, _ in events] == [
        "ai.plan_generation_started",
        "ai.plan_generation_failed",
    ]
    assert events[1][1]["code"] == "invalid_plan"
    async with running_app.state.runtime.sessionmaker() as session:
        generation = await session.get(Generation, request.job_id)
    assert (generation.status, generation.sessions) == ("failed", [])
