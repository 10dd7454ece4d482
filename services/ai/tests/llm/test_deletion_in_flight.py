"""An account deleted while the ai service is making its plan: the job ends without writing
anything more. The LLM (the fake server) is still answering when auth's `UserDeleted` is applied;
the generation had begun (its `PlanGenerationStarted` was committed before the call, and no
transaction is held during it), so the erasure runs at once; when the LLM answers, the
generation's second transaction finds the user erased and stores and publishes nothing. Afterwards
no row of the user is left in the ai schema (outbox rows excepted) and no outcome was published."""

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from ai.scheduling.solver import solve
from schediora_contracts import UserDeleted
from schediora_runtime.messaging.codec import wrap
from schediora_testkit import testing
from schediora_testkit.fake_llm import answer, stall

from ..api.requests import plan_request, published
from .conftest import openai_settings
from .plans import calendar

LLM_SECONDS = 2.0
"""How long the fake LLM takes: the deletion lands meanwhile."""
KEPT = {"outbox", "processed_events", "revocations"}


@pytest.fixture
def settings(test_database, llm):
    # Long enough a timeout that the slow answer is used, not retried.
    return openai_settings(llm.base_url, openai_timeout_seconds=10, openai_max_attempts=1)


async def _scalar(app, sql: str, **params):
    async with app.state.runtime.sessionmaker() as session:
        return (await session.execute(text(sql), params)).scalar()


async def _rows_of_user(app, user_id: uuid.UUID) -> dict[str, int]:
    async with app.state.runtime.sessionmaker() as session:
        tables = (
            await session.execute(
                text(
                    "SELECT table_name FROM information_schema.columns WHERE table_schema = 'ai'"
                    " AND column_name = 'user_id' AND data_type = 'uuid'"
                )
            )
        ).scalars()
        counts = {}
        for table in set(tables) - KEPT:
            count = (
                await session.execute(
                    text(f'SELECT count(*) FROM ai."{table}" WHERE user_id = :u'), {"u": user_id}
                )
            ).scalar()
            if count:
                counts[table] = count
        return counts


async def test_a_job_in_flight_for_a_deleted_user_ends_without_writing_anything(
    running_app, settings, llm
):
    user_id = uuid.uuid4()
    request = plan_request(user_id)
    script = llm.reply(stall(LLM_SECONDS, answer(calendar(solve(request).sessions))))
    requested = wrap(request, producer="planner")
    await testing.publish(settings.rabbitmq_url, settings.events_exchange, requested)

    async def llm_called():
        return script.calls >= 1

    await testing.eventually(llm_called, timeout=30)
    deleted = UserDeleted(user_id=user_id, deleted_at=datetime.now(UTC))
    await testing.publish(
        settings.rabbitmq_url, settings.events_exchange, wrap(deleted, producer="auth")
    )

    async def erased():
        return await _scalar(
            running_app,
            "SELECT count(*) FROM revocations WHERE user_id = :u AND session_id IS NULL",
            u=user_id,
        )

    await testing.eventually(erased, timeout=30)

    async def settled():
        return await _scalar(
            running_app,
            "SELECT count(*) FROM processed_events WHERE event_id = :e",
            e=requested.event_id,
        )

    # The request's message is settled once the LLM has answered: the generation's second
    # transaction found the user erased and claimed the event without effects.
    await testing.eventually(settled, timeout=30)
    assert script.calls == 1, "the request asked the LLM again"
    assert [kind for kind, _ in await published(running_app, request.job_id)] == [
        "ai.plan_generation_started"
    ]
    assert await _rows_of_user(running_app, user_id) == {}
