"""AI plan jobs with an LLM provider that answers in `DELAY` seconds: `CONCURRENCY` students
ask at once and the wall time shows whether their generations overlap (≈ `DELAY`) or queue
behind the database pool (≈ `CONCURRENCY` x `DELAY`). The ai runs with `AI_PROVIDER=openai`
against a small OpenAI-compatible server of this benchmark (a valid calendar: one session per
subject on the week's first days, at the start of each window), the database pool and
`AI_MAX_CONCURRENT_GENERATIONS` at their defaults. The stack's own ai is stopped meanwhile and
started again afterwards."""

import asyncio
import json
import socket
import threading
import time
import uuid

import httpx
import uvicorn
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from benchmarks import plan_flow
from planner.seed import remove
from schediora_testkit.devstack import ServiceProcess, Stack
from schediora_testkit.fake_llm import calendar_of, prompt_facts

DELAY = 2.0
CONCURRENCY = 20
MODEL = "bench-slow-model"


class SlowLLM:
    """Answers each chat completion after `DELAY` seconds with a calendar the validator accepts:
    one session for each subject, each on its own day from the week's first, at the start of
    that day's first window."""

    def __init__(self) -> None:
        self.calls = 0
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.base_url = f"http://127.0.0.1:{self._socket.getsockname()[1]}/v1"
        app = Starlette(routes=[Route("/v1/chat/completions", self._answer, methods=["POST"])])
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def start(self) -> None:
        self._thread.start()
        while not self._server.started:
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()

    async def _answer(self, request: Request) -> JSONResponse:
        arrived = time.monotonic()
        self.calls += 1
        body = await request.json()
        content = json.dumps({"calendar": calendar_of(prompt_facts(body))})
        await asyncio.sleep(max(DELAY - (time.monotonic() - arrived), 0))
        return JSONResponse(
            {
                "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": MODEL,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content, "refusal": None},
                        "finish_reason": "stop",
                        "logprobs": None,
                    }
                ],
                "usage": {"prompt_tokens": 1000, "completion_tokens": 200, "total_tokens": 1200},
            }
        )


async def _measure(stack: Stack, llm: SlowLLM) -> str:
    planner = create_async_engine(stack.services["planner"].env["DATABASE_URL"])
    ai = create_async_engine(stack.services["ai"].env["DATABASE_URL"])
    api = httpx.AsyncClient(base_url=f"{stack.gateway}/api/v1", timeout=60)
    students: list[plan_flow.Student] = []
    try:
        hashing = asyncio.Semaphore(2)
        students = list(
            await asyncio.gather(
                *(plan_flow._student(api, hashing) for _ in range(1 + CONCURRENCY))
            )
        )
        await plan_flow._wait_onboarded(planner, students)
        await plan_flow._job(api, students[0])  # warm-up: first connections and imports
        run = await plan_flow._closed_loop(
            api, f"{CONCURRENCY} students at once", students[1:], CONCURRENCY
        )
        server = await plan_flow._server_times(planner, ai, run)
        first_created, last_stored = await _span(planner, run.job_ids)
    finally:
        await api.aclose()
        if students:
            async with planner.begin() as connection:
                await remove(connection, [uuid.UUID(s.user_id) for s in students])
        await planner.dispose()
        await ai.dispose()
    parts = {
        "waiting": "created → started",
        "generating": "started → generated (the LLM's 2 s)",
        "storing": "generated → stored",
        "total": "created → stored",
    }
    return "\n".join(
        [
            f"## AI plan jobs with an LLM answering in {DELAY:g} s ({CONCURRENCY} students at "
            "once; database pool and AI_MAX_CONCURRENT_GENERATIONS at their defaults)",
            "",
            "| measure | seconds |",
            "|---|---|",
            "| wall, server: first job created → last plan stored | "
            f"{last_stored - first_created:.2f} |",
            f"| wall, client: first POST → last poll seeing `completed` (polled every "
            f"{plan_flow.POLL} s) | {run.wall_seconds:.2f} |",
            f"| if the generations ran one after another | {CONCURRENCY * DELAY:.0f} |",
            "",
            "| stage (server) | p50 s | p95 s |",
            "|---|---|---|",
            *(
                f"| {label} | {plan_flow._percentile(server[part], 50):.2f} | "
                f"{plan_flow._percentile(server[part], 95):.2f} |"
                for part, label in parts.items()
            ),
            "",
            f"LLM calls answered: {llm.calls} (one per job, plus the warm-up's).",
        ]
    )


async def _span(planner, job_ids: list[str]) -> tuple[float, float]:
    async with planner.connect() as connection:
        row = (
            await connection.execute(
                text(
                    "SELECT extract(epoch FROM min(created_at)), "
                    "extract(epoch FROM max(updated_at)) "
                    "FROM ai_jobs WHERE id = ANY(CAST(:ids AS uuid[]))"
                ),
                {"ids": job_ids},
            )
        ).one()
    return float(row[0]), float(row[1])


def section(stack: Stack) -> str:
    llm = SlowLLM()
    llm.start()
    local_ai = stack.services["ai"]
    env = local_ai.env | {
        "AI_PROVIDER": "openai",
        "OPENAI_BASE_URL": llm.base_url,
        "OPENAI_MODEL": MODEL,
        "OPENAI_TIMEOUT_SECONDS": "30",
        "OPENAI_MAX_ATTEMPTS": "1",
    }
    env = {
        k: v
        for k, v in env.items()
        if k not in ("DATABASE_POOL_SIZE", "AI_MAX_CONCURRENT_GENERATIONS")
    }
    llm_ai = ServiceProcess("ai", local_ai.port, env, local_ai.log_path, python=local_ai.python)
    local_ai.stop()
    try:
        llm_ai.start()
        llm_ai.wait_live(120)
        return asyncio.run(_measure(stack, llm))
    finally:
        llm_ai.stop()
        llm.stop()
        local_ai.start()
        local_ai.wait_live(120)
