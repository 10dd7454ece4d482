"""Generations: one per plan request, recording what made the plan and how good it is."""
