"""LLM tokens spent per user per UTC day, against the daily budget (`AI_DAILY_TOKEN_BUDGET`)."""
