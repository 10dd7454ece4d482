"""Scheduling core of the ai service: the hard-constraint validator, the local solver and the
plan-quality scores.

Pure functions over the PlanRequested contract: no database, broker or web framework.
"""

from ai.scheduling.quality import score
from ai.scheduling.schedule import NoFeasiblePlan, Schedule
from ai.scheduling.solver import solve
from ai.scheduling.validator import Violation, validate

__all__ = ["NoFeasiblePlan", "Schedule", "Violation", "score", "solve", "validate"]
