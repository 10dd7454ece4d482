"""An account deleted while its plan is being made, end to end on a stack of its own: the ai
service's LLM call is held open (a stub that answers only when the test lets it), the student
deletes the account meanwhile, and once the LLM answers (an error: the ai falls back to its local
solver and has a plan ready to store) the job ends without writing anything more. Afterwards no row
of the user is left in any schema, and no outcome of the job was published (its
PlanGenerationStarted, committed before the LLM call, was)."""

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from schediora_contracts import PlanRequested

from . import service_tables
from .isolated import isolated_stack
from .students import PASSWORD, Student, preferences

pytestmark = pytest.mark.e2e


class HeldLLM:
    """An OpenAI-compatible endpoint that holds every call until `release()`, then answers 503."""

    def __init__(self) -> None:
        self.calls = 0
        self.released = threading.Event()
        held = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                held.calls += 1
                held.released.wait(120)
                body = json.dumps({"error": {"message": "held", "type": "server_error"}}).encode()
                self.send_response(503)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def release(self) -> None:
        self.released.set()


@pytest.fixture(scope="module")
def llm() -> Iterator[HeldLLM]:
    held = HeldLLM()
    held.thread.start()
    yield held
    held.release()
    held.server.shutdown()


@pytest.fixture(scope="module")
def stack(tmp_path_factory, llm):
    env = {
        "AI_PROVIDER": "openai",
        "OPENAI_BASE_URL": llm.base_url,
        "OPENAI_MODEL": "held-model",
        "OPENAI_API_KEY": "held",
        "OPENAI_TIMEOUT_SECONDS": "100",
        "OPENAI_MAX_ATTEMPTS": "1",
    }
    with isolated_stack(tmp_path_factory.mktemp("e2e-held-logs"), "inflight", env) as stack:
        yield stack


@pytest.fixture
async def api(stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{stack.gateway}/api/v1", timeout=30) as client:
        yield client


@pytest.fixture
async def db(stack) -> AsyncIterator[AsyncEngine]:
    engine = service_tables.engine(stack.database)
    yield engine
    await engine.dispose()


async def _until(check, seconds: float = 60, what: str = "condition"):
    deadline = time.monotonic() + seconds
    while not (result := await check()):
        assert time.monotonic() < deadline, f"{what} not met in {seconds} s"
        await asyncio.sleep(0.1)
    return result


async def test_a_job_in_flight_ends_without_writing_anything_for_a_deleted_account(
    stack, api, db, llm
):
    student = await Student.register(api, "inflight")
    await student.set_preferences(preferences())
    await student.add_subject("Chemistry", difficulty=3)
    job = await student.generate_once_onboarded()

    async def llm_called():
        return llm.calls >= 1

    await _until(llm_called, what="the LLM call")  # the ai is making the plan now

    deleted = await student.call("DELETE", "/users/me", json={"password": PASSWORD})
    assert deleted.status_code == 204, deleted.text

    async def erased():
        return await service_tables.rows_of_user(db, student.user_id) == {}

    await _until(erased, what="the erasure in every schema")
    llm.release()  # the ai now has a plan to store, for a user who is gone

    [request] = (
        await service_tables.outbox_envelopes(db, "planner", PlanRequested.event_type, [job["id"]])
    )[job["id"]]

    async def settled():
        done = await service_tables.processed(db, "ai", [str(request.event_id)])
        return done[str(request.event_id)] == 1

    await _until(settled, what="the ai settling the request")
    assert llm.calls == 1, "the redelivered request asked the LLM again"
    assert await service_tables.rows_of_user(db, student.user_id) == {}
    published = await service_tables.rows(
        db,
        "SELECT event_type FROM ai.outbox WHERE envelope->'payload'->>'user_id' = :u",
        u=student.user_id,
    )
    # The generation had begun before the deletion (its Started was committed before the LLM
    # call); once the LLM answered, the second transaction found the account erased and wrote
    # nothing: no outcome, no generation row.
    assert published == [("ai.plan_generation_started",)], published
