"""AI plan jobs: the planner's side of the plan flow (DESIGN.md: The plan flow)."""
