"""What each LLM call cost (docs/operations.md): its latency by outcome and the tokens its answer
reported. Counted as the call returns: the tokens are spent whatever happens to the generation."""

from prometheus_client import Counter, Histogram

from ai.providers.provenance import Call

LLM_CALL_SECONDS = Histogram(
    "schediora_ai_llm_call_duration_seconds",
    "One LLM call, request to answer (or failure), by outcome: valid, invalid_plan, malformed, "
    "refusal, timeout, rate_limited, server_error, client_error, connection_error.",
    ["outcome"],
    buckets=(0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120),
)
LLM_TOKENS = Counter(
    "schediora_ai_llm_tokens",
    "Tokens the LLM's answers reported (`usage`), by kind: prompt or completion.",
    ["kind"],
)


def llm_call(call: Call) -> None:
    LLM_CALL_SECONDS.labels(call.outcome).observe(call.latency_ms / 1000)
    usage = call.usage or {}
    for kind in ("prompt", "completion"):
        if tokens := usage.get(f"{kind}_tokens"):
            LLM_TOKENS.labels(kind).inc(tokens)
