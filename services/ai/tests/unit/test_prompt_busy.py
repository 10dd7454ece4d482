"""The LLM prompt names the student's busy time (the week's timetable occurrences) as
unavailable, in local time, as the solver and the validator treat it."""

import json
from datetime import timedelta

from ai.providers.prompt import SYSTEM, facts, messages
from schediora_contracts.common import BusyInterval

from .plan_requests import MONDAY, local, plan_request, subject

CALCULUS = subject("Calculus")


def test_the_prompt_lists_the_weeks_busy_intervals_in_local_time_earliest_first():
    tuesday = MONDAY + timedelta(days=1)
    lecture = BusyInterval(starts_at=local(tuesday, "18:00"), ends_at=local(tuesday, "19:30"))
    lab = BusyInterval(starts_at=local(MONDAY, "09:15"), ends_at=local(MONDAY, "11:00"))
    request = plan_request(subjects=(CALCULUS,)).model_copy(update={"busy": (lecture, lab)})

    found = facts(request)["busy"]

    # Local wall time in the student's zone (Berlin, +01:00 in November), with its offset, as
    # every other time in the prompt.
    assert found == [
        {"starts_at": "2026-11-23T09:15:00+01:00", "ends_at": "2026-11-23T11:00:00+01:00"},
        {"starts_at": "2026-11-24T18:00:00+01:00", "ends_at": "2026-11-24T19:30:00+01:00"},
    ]
    user = json.loads(messages(request)[1]["content"].split("\n", 1)[1])
    assert user["busy"] == found


def test_without_a_timetable_busy_is_empty_and_the_rule_is_still_stated():
    assert facts(plan_request(subjects=(CALCULUS,)))["busy"] == []
    assert "overlaps a `busy` interval" in SYSTEM
