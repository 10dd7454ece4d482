"""Scheduling core of the ai service: the hard-constraint validator and the local solver.

Pure functions over the PlanRequested contract: no database, broker or web framework.
"""

from ai.scheduling.schedule import NoFeasiblePlan, Schedule
from ai.scheduling.solver import solve
from ai.scheduling.validator import Violation, validate

__all__ = ["NoFeasiblePlan", "Schedule", "Violation", "solve", "validate"]
