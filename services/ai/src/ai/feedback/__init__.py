"""Feedback: the student's rating of a generated plan, one per generation."""
