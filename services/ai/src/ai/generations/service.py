"""Use cases of generations: turn a PlanRequested into a validated plan, published through the
outbox, or into a failure that says why; and show a generation to its owner.

A generation runs in three steps, and holds no database connection while its plan is made:

1. `begin` (one transaction): record the generation `running`, write PlanGenerationStarted and,
   for an LLM provider, reserve the most its answers may cost from the user's daily budget
   (`ai.usage`).
2. `make` (no transaction): the provider makes the plan; the one validator checks it and the
   coverage warnings are computed.
3. `finish` (one transaction): store the outcome, release the LLM tokens `begin` reserved and
   charge those it spent to the user's day, write PlanGenerated or PlanGenerationFailed and
   claim the event, so a redelivery finds it done.

A process that dies after 1 leaves the generation `running` and the message unacked: its
redelivery makes the plan again (Started is not written twice). One that dies after 3 leaves it
finished: the redelivery is a duplicate and writes nothing.
"""

import asyncio
import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from uuid import UUID

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ai.accounts import service as accounts
from ai.db import outbox
from ai.errors import GenerationNotFound
from ai.feedback import service as feedback
from ai.feedback.schemas import FeedbackRead
from ai.generations import metrics, repository
from ai.generations.models import Generation
from ai.generations.schemas import GenerationRead
from ai.providers import Provider, make_plan, most_llm_tokens
from ai.providers.provenance import Made, Provenance
from ai.scheduling import coverage
from ai.scheduling.schedule import NoFeasiblePlan, Schedule
from ai.scheduling.validator import validate
from ai.usage import service as usage
from schediora_contracts import (
    PlanGenerated,
    PlanGenerationFailed,
    PlanGenerationStarted,
    PlanRequested,
)
from schediora_contracts.common import CoverageWarning, FeedbackReport
from schediora_runtime.messaging.consumer import Claim
from schediora_runtime.messaging.outbox import record_event

PRODUCER = "ai"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Begun:
    """What `begin` decided: `request` (with its feedback) to make a plan for, or nothing to
    make, and then whether the event was applied (False: a duplicate)."""

    request: PlanRequested | None = None
    applied: bool = True
    llm_allowed: bool = True
    """False when the user's daily LLM token budget is spent: the local solver makes the plan."""
    generation: Generation | None = None
    """The running generation the plan is made for (with `request`)."""


@dataclass(frozen=True)
class Outcome:
    """A plan made and checked, or the error that ended the generation."""

    provenance: Provenance
    at: datetime
    """When the plan was made (or the generation failed): the event's own time."""
    schedule: Schedule | None = None
    warnings: tuple[CoverageWarning, ...] = ()
    error: NoFeasiblePlan | None = None


async def generate(
    sessionmaker: async_sessionmaker[AsyncSession],
    request: PlanRequested,
    provider: Provider,
    claim: Claim,
    *,
    token_budget: int | None = None,
) -> bool:
    """The three steps for one delivery of a request; False when it was a duplicate (`claim`
    found the event processed already). `token_budget`: the user's daily LLM tokens (None:
    no limit)."""
    begun = await begin(sessionmaker, request, provider, claim, token_budget=token_budget)
    if begun.request is None:
        return begun.applied
    outcome = await make(begun.request, provider, llm_allowed=begun.llm_allowed)
    return await finish(sessionmaker, begun.request, outcome, claim)


async def begin(
    sessionmaker: async_sessionmaker[AsyncSession],
    request: PlanRequested,
    provider: Provider,
    claim: Claim,
    *,
    token_budget: int | None = None,
) -> Begun:
    """Step 1, one transaction: a new request's generation is recorded `running`
    and its PlanGenerationStarted written (at the ai's own time). A generation still `running`
    (its process died while making the plan) is made again, without a second Started; a
    finished one, or an erased account's request, ends here."""
    async with sessionmaker.begin() as session:
        begun = await _begin(session, request, provider, claim)
        if begun.generation is None or token_budget is None:
            return begun
        return replace(
            begun,
            llm_allowed=await _reserve_llm_tokens(
                session, begun.generation, provider, token_budget
            ),
        )


async def _reserve_llm_tokens(
    session: AsyncSession, generation: Generation, provider: Provider, budget: int
) -> bool:
    """Whether the generation may ask the LLM: it holds (or, made again after a crash, still
    holds) a reservation of the most its answers may cost from the user's day."""
    most = most_llm_tokens(provider)
    if most == 0 or generation.llm_tokens_reserved is not None:
        return True
    if not await usage.reserve(session, generation.user_id, generation.created_at, most, budget):
        return False
    generation.llm_tokens_reserved = most
    return True


async def _begin(
    session: AsyncSession, request: PlanRequested, provider: Provider, claim: Claim
) -> Begun:
    await accounts.lock_against_erasure(session, request.user_id)
    if await accounts.erased(session, request.user_id):
        return Begun(applied=await claim(session))  # the account is gone: nothing to write
    generation = await repository.get(session, request.job_id, lock=True)
    if generation is not None and generation.status != "running":
        return Begun(applied=await claim(session))  # done already: republish nothing
    request = await _with_feedback(session, request)
    if generation is None:
        now = datetime.now(UTC)
        generation = _running(request, provider, now)
        await repository.add(session, generation)
        await _publish(
            session,
            request,
            PlanGenerationStarted(job_id=request.job_id, user_id=request.user_id, started_at=now),
        )
    else:
        logger.warning("job %s was left running (a crash?): making its plan again", request.job_id)
    return Begun(request=request, generation=generation)


async def make(request: PlanRequested, provider: Provider, *, llm_allowed: bool = True) -> Outcome:
    """Step 2, with no database connection: the provider's plan, checked by the one validator,
    with the exams it cannot cover. The checks are CPU work, so they run off the event loop.
    A request past its job's deadline (a backlog, a replay from the dead letters) gets no plan:
    the planner has failed the job, or is about to, with the same `generation_timeout`."""
    now = datetime.now(UTC)
    if request.deadline_at is not None and now >= request.deadline_at:
        provenance = Provenance(provider=provider.name, model=provider.model, path="local")
        error = NoFeasiblePlan(
            "generation_timeout",
            "The job's deadline passed before its plan was begun; no plan was made.",
        )
        return Outcome(provenance, at=now, error=error)
    made = await make_plan(provider, request, llm_allowed=llm_allowed)
    return await asyncio.to_thread(_judge, request, made)


async def finish(
    sessionmaker: async_sessionmaker[AsyncSession],
    request: PlanRequested,
    outcome: Outcome,
    claim: Claim,
) -> bool:
    """Step 3, one transaction: claim the event, store the outcome and write
    PlanGenerated or PlanGenerationFailed. False when the event was claimed already (another
    delivery finished it: this outcome is dropped). An account erased meanwhile gets nothing
    stored (the erasure waits for this transaction, or this one for the erasure)."""
    async with sessionmaker.begin() as session:
        return await _finish(session, request, outcome, claim)


async def _finish(
    session: AsyncSession, request: PlanRequested, outcome: Outcome, claim: Claim
) -> bool:
    if not await claim(session):
        return False
    await accounts.lock_against_erasure(session, request.user_id)
    if await accounts.erased(session, request.user_id):
        return True
    generation = await repository.get(session, request.job_id, lock=True)
    if generation is None or generation.status != "running":
        return True  # erased with its account, or finished by another delivery
    _store(generation, outcome)
    if generation.llm_tokens_reserved:
        await usage.release(
            session, request.user_id, generation.created_at, generation.llm_tokens_reserved
        )
    await usage.charge(
        session, request.user_id, outcome.at, outcome.provenance.usage()["total_tokens"]
    )
    metrics.generation_finished(session, outcome.provenance, generation.status)
    await session.flush()
    if outcome.error is not None:
        await _publish(
            session,
            request,
            PlanGenerationFailed(
                job_id=request.job_id,
                user_id=request.user_id,
                code=outcome.error.code,
                message=outcome.error.message,
                failed_at=outcome.at,
            ),
        )
        return True
    schedule = outcome.schedule
    assert schedule is not None, "an outcome holds a schedule or an error"
    await _publish(
        session,
        request,
        PlanGenerated(
            job_id=request.job_id,
            user_id=request.user_id,
            generation_id=request.job_id,
            kind=request.kind,
            week_start=request.week_start,
            provider=outcome.provenance.provider,
            model=outcome.provenance.model,
            sessions=schedule.sessions,
            feedback=_report(request, schedule),
            warnings=outcome.warnings,
            generated_at=outcome.at,
        ),
    )
    return True


def _judge(request: PlanRequested, made: Made) -> Outcome:
    error = made.error or _check(request, made.schedule)
    if error is not None or made.schedule is None:
        return Outcome(made.provenance, error=error, at=datetime.now(UTC))
    return Outcome(
        made.provenance,
        schedule=made.schedule,
        warnings=coverage.warnings(request, made.schedule.sessions),
        at=datetime.now(UTC),
    )


async def get(session: AsyncSession, user_id: UUID, generation_id: UUID) -> GenerationRead:
    generation = await repository.get_of_user(session, user_id, generation_id)
    if generation is None:
        raise GenerationNotFound("No such generation.")
    given = await feedback.on_generation(session, user_id, generation_id)
    return GenerationRead(
        id=generation.id,
        kind=generation.kind,  # type: ignore[arg-type]
        provider=generation.provider,
        model=generation.model,
        status=generation.status,  # type: ignore[arg-type]
        quality=generation.quality,
        provenance=generation.provenance,  # type: ignore[arg-type]
        created_at=generation.created_at,
        feedback=FeedbackRead.model_validate(given) if given else None,
    )


def _check(request: PlanRequested, schedule: Schedule | None) -> NoFeasiblePlan | None:
    """The one validator runs on every schedule, whatever made it (an LLM's answer was checked
    already, and is again): an invalid plan is never published."""
    if schedule is None:
        return None
    violations = validate(request, schedule.sessions)
    if not violations:
        return None
    logger.error(
        "refusing an invalid plan for job %s: %s",
        request.job_id,
        "; ".join(f"{v.code}: {v.message}" for v in violations[:5]),
    )
    return NoFeasiblePlan(
        "invalid_plan", f"The plan broke {len(violations)} rule(s); it was not used."
    )


def _report(request: PlanRequested, schedule: Schedule) -> FeedbackReport | None:
    """What the generator made of the feedback (`quality["feedback"]`), for the planner to show
    on the job; None without feedback. A report that does not read as one is left out rather
    than failing a valid plan."""
    if request.feedback is None:
        return None
    found = schedule.quality.get("feedback")
    if found is None:
        return None
    try:
        return FeedbackReport.model_validate(found)
    except ValidationError:
        logger.warning(
            "job %s: quality.feedback is not a FeedbackReport: %r", request.job_id, found
        )
        return None


async def _with_feedback(session: AsyncSession, request: PlanRequested) -> PlanRequested:
    """A reschedule carries the student's feedback on the plan it replaces: the feedback sent
    with the request (rating, comments and adjustments), else the one given earlier through
    `POST /feedback` (its `more`/`less` only for subjects still asked for). Feedback sent with
    the request is also kept as that generation's feedback when it has none yet."""
    previous = request.previous_generation_id
    if previous is None:
        return request
    stored = await feedback.on_generation(session, request.user_id, previous)
    if request.feedback is None:
        if stored is None:
            return request
        subjects = {subject.subject_id for subject in request.subjects}
        snapshot = feedback.snapshot(stored, subjects)
        return request.model_copy(update={"feedback": snapshot})
    if stored is None and await repository.get_of_user(session, request.user_id, previous):
        await feedback.keep(
            session, request.user_id, previous, request.feedback, request.requested_at
        )
    return request


def _running(request: PlanRequested, provider: Provider, now: datetime) -> Generation:
    return Generation(
        id=request.job_id,
        user_id=request.user_id,
        kind=request.kind,
        status="running",
        week_start=request.week_start,
        provider=provider.name,
        model=provider.model,
        previous_generation_id=request.previous_generation_id,
        request=request.model_dump(mode="json"),
        created_at=now,
    )


def _store(generation: Generation, outcome: Outcome) -> None:
    schedule, error = outcome.schedule, outcome.error
    generation.status = "failed" if error else "completed"
    generation.provider = outcome.provenance.provider
    generation.model = outcome.provenance.model
    generation.sessions = [s.model_dump(mode="json") for s in schedule.sessions] if schedule else []
    generation.quality = dict(schedule.quality) if schedule else {}
    generation.provenance = outcome.provenance.as_json()
    generation.error_code = error.code if error else None
    generation.error_message = error.message if error else None
    generation.finished_at = outcome.at


async def _publish(session: AsyncSession, request: PlanRequested, event) -> None:
    await record_event(session, outbox, event, producer=PRODUCER, correlation_id=request.job_id)
