"""Limits two services must agree on are defined once, in `schediora_contracts.limits`: every
service model that holds the same thing refuses one more than the limit and accepts the limit."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from ai.providers import answer
from planner.plans.models import StudySession
from planner.plans.schemas import PlanCreate, SessionInput, SessionUpdate
from schediora_contracts.common import PlannedSession
from schediora_contracts.events import PlanGenerated
from schediora_contracts.limits import (
    SESSION_MAX_DURATION,
    SESSION_MAX_HOURS,
    SESSION_RATIONALE_MAX_LENGTH,
    SESSION_TITLE_MAX_LENGTH,
    SESSIONS_PER_PLAN_MAX,
)

START = datetime(2030, 1, 7, 18, 0, tzinfo=UTC)


def planner_session(title: str = "Study", *, minutes: int = 60) -> dict[str, str]:
    return {
        "title": title,
        "starts_at": START.isoformat(),
        "ends_at": (START + timedelta(minutes=minutes)).isoformat(),
    }


def llm_answer(count: int, title: str = "Study") -> str:
    session = {**planner_session(title), "subject_id": str(uuid.uuid4())}
    return json.dumps({"calendar": [session] * count})


def plan_generated(count: int) -> dict[str, object]:
    return {
        "job_id": uuid.uuid4(),
        "user_id": uuid.uuid4(),
        "generation_id": uuid.uuid4(),
        "kind": "generate",
        "week_start": START.date(),
        "provider": "local",
        "sessions": [planner_session()] * count,
        "generated_at": START,
    }


@pytest.mark.parametrize(
    "accepts",
    [
        pytest.param(
            lambda title: SessionInput.model_validate(planner_session(title)), id="planner create"
        ),
        pytest.param(
            lambda title: SessionUpdate.model_validate({"title": title}), id="planner update"
        ),
        pytest.param(
            lambda title: PlannedSession.model_validate(planner_session(title)), id="contract"
        ),
        pytest.param(lambda title: answer.parse(llm_answer(1, title)), id="ai llm answer"),
    ],
)
def test_every_model_of_a_session_title_stops_at_the_shared_limit(accepts) -> None:
    accepts("x" * SESSION_TITLE_MAX_LENGTH)
    with pytest.raises((ValidationError, answer.MalformedAnswer)):
        accepts("x" * (SESSION_TITLE_MAX_LENGTH + 1))


def test_the_planner_table_stores_exactly_the_shared_title_and_duration_limits() -> None:
    table = StudySession.__table__
    assert table.c.title.type.length == SESSION_TITLE_MAX_LENGTH
    checks = {
        constraint.name: str(constraint.sqltext)
        for constraint in table.constraints
        if getattr(constraint, "sqltext", None) is not None
    }
    assert f"BETWEEN 1 AND {SESSION_TITLE_MAX_LENGTH}" in checks["ck_study_sessions_title_length"]
    assert f"'{SESSION_MAX_HOURS} hours'" in checks["ck_study_sessions_max_duration"]


def test_a_session_longer_than_the_shared_maximum_is_refused_by_the_planner() -> None:
    minutes = int(SESSION_MAX_DURATION.total_seconds() // 60)
    SessionInput.model_validate(planner_session(minutes=minutes))
    with pytest.raises(ValidationError):
        SessionInput.model_validate(planner_session(minutes=minutes + 1))


@pytest.mark.parametrize(
    "accepts",
    [
        pytest.param(
            lambda count: PlanCreate.model_validate({"sessions": [planner_session()] * count}),
            id="planner plan",
        ),
        pytest.param(lambda count: PlanGenerated.model_validate(plan_generated(count)), id="event"),
    ],
)
def test_sessions_per_plan_stop_at_the_shared_limit(accepts) -> None:
    accepts(SESSIONS_PER_PLAN_MAX)
    with pytest.raises(ValidationError):
        accepts(SESSIONS_PER_PLAN_MAX + 1)


def test_an_llm_answer_may_list_more_than_a_plan_holds_so_the_validator_can_name_the_excess() -> (
    None
):
    assert len(answer.parse(llm_answer(SESSIONS_PER_PLAN_MAX + 1))) == SESSIONS_PER_PLAN_MAX + 1


def test_a_long_llm_rationale_is_cut_to_the_shared_limit() -> None:
    session = {**planner_session(), "subject_id": str(uuid.uuid4()), "rationale": "y" * 5000}
    (parsed,) = answer.parse(json.dumps({"calendar": [session]}))
    assert parsed.rationale is not None
    assert len(parsed.rationale) == SESSION_RATIONALE_MAX_LENGTH
