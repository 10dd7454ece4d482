"""AI plan jobs: the planner's side of the plan flow (docs/architecture.md: The plan flow)."""
