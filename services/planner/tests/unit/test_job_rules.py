"""Which of the ai's events may still move a job (planner.generation.domain)."""

import pytest

from planner.generation.domain import takes_outcome, takes_started


@pytest.mark.parametrize(
    ("status", "started", "outcome"),
    [
        ("queued", True, True),
        ("running", False, True),  # a duplicate Started changes nothing
        ("completed", False, False),  # the first outcome won; a late Started changes nothing
        ("failed", False, False),  # e.g. failed by its deadline
    ],
)
def test_the_first_outcome_wins_and_a_started_moves_only_a_queued_job(status, started, outcome):
    assert (takes_started(status), takes_outcome(status)) == (started, outcome)
