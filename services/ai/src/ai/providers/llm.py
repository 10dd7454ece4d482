"""The `openai` provider: any OpenAI-compatible chat completions endpoint, asked for a structured
`{"calendar": [...]}` answer, checked by the one validator, corrected with the violations for a
bounded number of attempts, and replaced by the local solver's plan when no attempt is usable.

An LLM outage therefore degrades a generation to the local plan rather than failing it. The
client's own retries are off (`max_retries=0`): tenacity's loop (providers/retries.py) is the only
one, so the number of calls is exact, recorded, and bounded by `max_attempts`, and the calls
with the waits between them by `timeout x max_attempts`. Every call carries `max_tokens`.
"""

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from time import perf_counter
from typing import Any

import openai
from openai.types.chat import ChatCompletion

from ai.providers import Provider, elapsed_ms, metrics, retries
from ai.providers import prompt as template
from ai.providers.answer import MalformedAnswer, parse
from ai.providers.local import LocalProvider
from ai.providers.provenance import USAGE_FIELDS, Call, Made, Outcome, Provenance
from ai.scheduling.brief import Brief
from ai.scheduling.quality import report, score
from ai.scheduling.schedule import NoFeasiblePlan, Schedule
from ai.scheduling.validator import validate
from schediora_contracts import PlanRequested
from schediora_contracts.common import PlannedSession

logger = logging.getLogger(__name__)

NO_KEY = "unused"
"""Sent when no key is configured: the client insists on one, a local server ignores it."""
TRANSIENT_STATUSES = frozenset({408, 409, 429})
LOCAL_PLAN_SECONDS = 5.0
"""Kept free before the job's deadline for the local plan and storing the outcome."""
MIN_LLM_SECONDS = 1.0
"""Less time than this left for the LLM and the local solver plans without asking it."""


@dataclass(frozen=True)
class _Answered:
    call: Call
    sessions: tuple[PlannedSession, ...] = ()
    follow_up: list[dict[str, str]] | None = None
    """Messages to add before asking again (the answer and what was wrong with it)."""
    retry_after: float | None = None
    """Seconds the server asked to wait before the next call (its Retry-After)."""

    @property
    def outcome(self) -> Outcome:
        return self.call.outcome


class OpenAIProvider:
    name = "openai"

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None,
        timeout_seconds: float,
        max_attempts: int,
        max_tokens: int = 8192,
        backoff_seconds: float = 1.0,
        backoff_max_seconds: float = 20.0,
        fallback: Provider | None = None,
    ):
        self.base_url = base_url
        self.model: str | None = model
        self._model = model
        self._api_key = api_key or NO_KEY
        self.timeout_seconds = timeout_seconds
        self.max_attempts = max_attempts
        self.max_tokens = max_tokens
        self.backoff_seconds = backoff_seconds
        self.backoff_max_seconds = backoff_max_seconds
        self.fallback = fallback or LocalProvider()

    @property
    def budget_seconds(self) -> float:
        """The longest a generation waits on the LLM, backoffs included (settings keep it
        under the broker's ack timeout and, documented, the planner's job deadline)."""
        return self.timeout_seconds * self.max_attempts

    @property
    def most_llm_tokens(self) -> int:
        """The most one generation's answers may cost: `max_tokens` on every attempt."""
        return self.max_tokens * self.max_attempts

    def budget_for(self, request: PlanRequested, now: datetime | None = None) -> float:
        """Seconds this request's LLM calls may take: the budget, but never past the job's
        deadline less `LOCAL_PLAN_SECONDS` for the fallback's plan and storing the outcome."""
        if request.deadline_at is None:
            return self.budget_seconds
        left = (request.deadline_at - (now or datetime.now(UTC))).total_seconds()
        return min(self.budget_seconds, left - LOCAL_PLAN_SECONDS)

    async def plan(self, request: PlanRequested) -> Schedule:
        made = await self.plan_with_provenance(request)
        if made.error is not None:
            raise made.error
        assert made.schedule is not None
        return made.schedule

    async def plan_with_provenance(
        self, request: PlanRequested, *, llm_allowed: bool = True
    ) -> Made:
        """The LLM's first valid answer within `max_attempts` calls and the time budget, else
        the fallback's plan. `llm_allowed=False` (the user's token budget is spent) goes to
        the fallback without a call."""
        provenance = Provenance(
            provider=self.name,
            model=self.model,
            path="llm",
            prompt_version=template.PROMPT_VERSION,
        )
        started = perf_counter()
        if not llm_allowed:
            provenance.path = "local_fallback"
            provenance.fallback_reason = "budget_exhausted"
            provenance.fallback_detail = "the user's daily LLM token budget is spent"
            made = await self._solve_locally(request, provenance)
            provenance.latency_ms = elapsed_ms(started)
            return made
        budget = self.budget_for(request)
        if budget < MIN_LLM_SECONDS:
            provenance.path = "local_fallback"
            provenance.fallback_reason = "deadline"
            provenance.fallback_detail = f"{budget:.1f} s left before the job's deadline"
            made = await self._solve_locally(request, provenance)
            provenance.latency_ms = elapsed_ms(started)
            return made
        deadline = started + budget
        conversation = template.messages(request)
        # One client per generation: nothing outlives the consumer's message, and a
        # generation's extra connection set-up is nothing next to the LLM's own latency.
        async with openai.AsyncOpenAI(
            base_url=self.base_url,
            api_key=self._api_key,
            timeout=self.timeout_seconds,
            max_retries=0,
        ) as client:

            async def ask() -> _Answered:
                nonlocal conversation
                # No call may run past the budget, however the waits before it went.
                seconds = max(0.001, min(self.timeout_seconds, deadline - perf_counter()))
                answered = await self._ask(client, request, conversation, seconds)
                provenance.calls.append(answered.call)
                metrics.llm_call(answered.call)
                if answered.follow_up:
                    conversation = [*conversation, *answered.follow_up]
                return answered

            answered = await retries.retrying(
                max_attempts=self.max_attempts,
                budget_seconds=budget,
                backoff_seconds=self.backoff_seconds,
                backoff_max_seconds=self.backoff_max_seconds,
            )(ask)
        if answered.outcome == "valid":
            provenance.latency_ms = elapsed_ms(started)
            sessions = tuple(sorted(answered.sessions, key=lambda s: s.starts_at))
            quality = _quality(request, sessions)
            return Made(provenance, schedule=Schedule(sessions, quality))
        made = await self._fall_back(request, provenance)
        provenance.latency_ms = elapsed_ms(started)
        return made

    async def _ask(
        self,
        client: openai.AsyncOpenAI,
        request: PlanRequested,
        messages: list[dict[str, str]],
        seconds: float,
    ) -> _Answered:
        started = perf_counter()

        def failed(
            outcome: Outcome,
            detail: str,
            usage: dict[str, int] | None = None,
            retry_after: float | None = None,
        ) -> _Answered:
            return _Answered(
                Call(outcome, elapsed_ms(started), detail, usage), retry_after=retry_after
            )

        try:
            # The client's timeout is per read; this one bounds the whole call.
            async with asyncio.timeout(seconds):
                completion = await client.chat.completions.create(
                    model=self._model,
                    messages=messages,  # type: ignore[arg-type]
                    response_format=template.RESPONSE_FORMAT,  # type: ignore[arg-type]
                    max_tokens=self.max_tokens,
                )
        except (TimeoutError, openai.APITimeoutError):
            return failed("timeout", f"no answer within {seconds:g} s")
        except openai.APIStatusError as exc:
            status = exc.status_code
            wait = retries.retry_after_seconds(exc.response.headers)
            if status == 429:
                return failed("rate_limited", f"HTTP 429: {_short(exc.message)}", retry_after=wait)
            if status >= 500 or status in TRANSIENT_STATUSES:
                detail = f"HTTP {status}: {_short(exc.message)}"
                return failed("server_error", detail, retry_after=wait)
            return failed("client_error", f"HTTP {status}: {_short(exc.message)}")
        except openai.APIConnectionError as exc:
            return failed("connection_error", _short(str(exc)))
        except openai.OpenAIError as exc:
            detail = f"the response was not a chat completion: {_short(str(exc))}"
            return failed("malformed", detail)

        usage = _usage(completion)
        if not getattr(completion, "choices", None):
            return failed("malformed", "the response had no choices", usage)
        choice = completion.choices[0]
        message = choice.message
        if getattr(message, "refusal", None):
            return failed("refusal", _short(message.refusal or ""), usage)
        if choice.finish_reason == "content_filter":
            return failed("refusal", "the answer was withheld by a content filter", usage)
        content = message.content
        if choice.finish_reason == "length":
            reason = "the answer was cut off at the length limit"
            return self._retry_with(failed("malformed", reason, usage), content, reason)
        try:
            sessions = parse(content)
        except MalformedAnswer as exc:
            return self._retry_with(failed("malformed", str(exc), usage), content, str(exc))
        if not sessions:
            reason = "the calendar has no sessions"
            call = Call("invalid_plan", elapsed_ms(started), reason, usage)
            return _Answered(call, follow_up=_follow_up(content, template.unusable(reason)))
        violations = validate(request, sessions)
        if violations:
            detail = "; ".join(f"{v.code}: {v.message}" for v in violations[:5])
            if len(violations) > 5:
                detail += f" (and {len(violations) - 5} more)"
            call = Call("invalid_plan", elapsed_ms(started), detail, usage)
            correction = template.correction(violations)
            return _Answered(call, follow_up=_follow_up(content, correction))
        return _Answered(Call("valid", elapsed_ms(started), None, usage), sessions)

    @staticmethod
    def _retry_with(answered: _Answered, content: str | None, reason: str) -> _Answered:
        return _Answered(answered.call, follow_up=_follow_up(content, template.unusable(reason)))

    async def _fall_back(self, request: PlanRequested, provenance: Provenance) -> Made:
        last = provenance.calls[-1]
        provenance.path = "local_fallback"
        provenance.fallback_reason = last.outcome
        provenance.fallback_detail = (
            f"{len(provenance.calls)} call(s) gave no usable plan; the last: {last.detail}"
        )
        logger.warning(
            "LLM gave no usable plan for job %s after %d call(s) (%s: %s); using the local solver",
            request.job_id,
            len(provenance.calls),
            last.outcome,
            last.detail,
        )
        return await self._solve_locally(request, provenance)

    async def _solve_locally(self, request: PlanRequested, provenance: Provenance) -> Made:
        try:
            schedule = await self.fallback.plan(request)
        except NoFeasiblePlan as error:
            return Made(provenance, error=error)
        return Made(provenance, schedule=schedule)


def _follow_up(content: str | None, ask: str) -> list[dict[str, str]]:
    return [{"role": "assistant", "content": content or ""}, {"role": "user", "content": ask}]


def _usage(completion: ChatCompletion) -> dict[str, int] | None:
    usage = getattr(completion, "usage", None)
    if usage is None:
        return None
    found = {name: getattr(usage, name, None) for name in USAGE_FIELDS}
    return {name: value for name, value in found.items() if isinstance(value, int)}


def _quality(request: PlanRequested, sessions: tuple[PlannedSession, ...]) -> dict[str, Any]:
    """An LLM plan is scored by the same functions as the solver's (every soft-goal term, the
    needs and the shortfall), so the two can be compared."""
    try:
        found = report(Brief.of(request), sessions)
    except NoFeasiblePlan:
        found = {"terms": score(request, sessions)}
    return found | {"provider": "openai"}


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
