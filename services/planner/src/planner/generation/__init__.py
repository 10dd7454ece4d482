"""AI plan generation, the planner's half (docs/api.md: AI planning).

`/api/v1/ai/plans/*` and `/api/v1/ai/jobs/*` are `endpoints.py`; each request becomes an `AiJob`
(`models.py`) that follows it from `queued` to `completed` or `failed`. The use cases are in
`service/`, one module each: asking for a plan (`requests.py`, with the `PlanRequested` it sends
built by `snapshot.py`), the weekly status (`weekly_status.py`), what a client reads of a job
(`views.py`) and applying the ai service's outcomes and the deadline (`outcomes.py`, called by
`consumers.py` and `workers.py`).
"""
