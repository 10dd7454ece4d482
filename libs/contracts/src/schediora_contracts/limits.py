"""Limits that two services must agree on, defined once. A contract test
(tests/platform/test_shared_limits.py) fails when a service's model allows more than these."""

from datetime import timedelta

ACCESS_TOKEN_MAX_TTL_SECONDS = 900
"""The longest an access token may live. Auth never issues one for longer, and every service
keeps a revoked session for this long (plus leeway): after that its tokens have expired anyway."""

SESSION_TITLE_MAX_LENGTH = 200
"""A study session's title, 1 to this many characters: what the planner stores and the
generators (solver, LLM) may propose."""

SESSION_RATIONALE_MAX_LENGTH = 500
"""The one line saying why a session is where it is."""

SESSION_MAX_HOURS = 8
SESSION_MAX_DURATION = timedelta(hours=SESSION_MAX_HOURS)
"""The longest session the planner stores and a generator may propose."""

SESSION_MIN_DURATION = timedelta(minutes=15)
"""The shortest session a generator proposes (a student may still add shorter ones by hand)."""

SESSIONS_PER_PLAN_MAX = 200
"""Sessions in one plan, kept ones included: the planner refuses more, the validator too."""
