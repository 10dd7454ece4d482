"""A small OpenAI-compatible server for the tests: `POST /<script>/v1/chat/completions` answers
from the script registered under that path, one scripted reply per call (the last one repeats),
or a reply made from each request (`Script.respond`, e.g. `planning(delay)`: a valid calendar for
whatever week the prompt describes), and records every request it gets. It runs in a thread of
its own on a free loopback port, so the real `openai` client talks real HTTP to it. Used by the
ai's LLM tests and by end-to-end tests whose ai asks it (test tooling: never in an image)."""

import asyncio
import json
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: Any = None
    delay: float = 0.0
    """Seconds to wait before answering: longer than the client's timeout is a timeout."""
    headers: dict[str, str] = field(default_factory=dict)


def completion(
    content: str | None, *, refusal: str | None = None, finish_reason: str = "stop", usage=(120, 80)
) -> dict[str, Any]:
    prompt_tokens, completion_tokens = usage
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "fake-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
                "finish_reason": finish_reason,
                "logprobs": None,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def answer(calendar: list[dict[str, Any]] | str, **options: Any) -> Reply:
    """A 200 whose message content is `{"calendar": calendar}` (or the string as it is)."""
    content = calendar if isinstance(calendar, str) else json.dumps({"calendar": calendar})
    return Reply(body=completion(content, **options))


def refusal(text: str = "I can't help with that.") -> Reply:
    return Reply(body=completion(None, refusal=text))


def failure(
    status: int = 500, message: str = "The server had an error.", *, retry_after: str | None = None
) -> Reply:
    """An error answer; `retry_after` is sent as its Retry-After header."""
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    body = {"error": {"message": message, "type": "server_error"}}
    return Reply(status=status, body=body, headers=headers)


def stall(seconds: float, then: Reply | None = None) -> Reply:
    late = then or answer([])
    return Reply(status=late.status, body=late.body, delay=seconds, headers=late.headers)


def calendar_of(facts: dict[str, Any]) -> list[dict[str, Any]]:
    """A calendar the validator accepts for the prompt's facts (`ai.providers.prompt.facts`):
    one session of the preferred length for each subject, each on its own day from the week's
    first, at the start of that day's first availability window."""
    minutes = facts["preferences"]["session_minutes"]
    firsts: dict[str, str] = {}
    for window in facts["availability"]:
        firsts.setdefault(window["date"], window["starts_at"])
    calendar = []
    for subject, starts in zip(facts["subjects"], sorted(firsts.values()), strict=False):
        begins = datetime.fromisoformat(starts)
        calendar.append(
            {
                "subject_id": subject["subject_id"],
                "title": subject["name"],
                "starts_at": begins.isoformat(),
                "ends_at": (begins + timedelta(minutes=minutes)).isoformat(),
                "rationale": "One session per subject, early in the week.",
            }
        )
    return calendar


def prompt_facts(body: dict[str, Any]) -> dict[str, Any]:
    """The request's facts: the JSON after the first line of the first user message (a
    correction asked afterwards comes in later messages)."""
    first = next(m for m in body["messages"] if m["role"] == "user")
    return json.loads(first["content"].split("\n", 1)[1])


def planning(delay: float = 0.0) -> Callable[[dict[str, Any]], Reply]:
    """A `Script.respond` that answers every call with `calendar_of` its facts, after `delay`
    seconds: an LLM that always plans well, taking its time."""

    def respond(body: dict[str, Any]) -> Reply:
        late = answer(calendar_of(prompt_facts(body)))
        return Reply(status=late.status, body=late.body, delay=delay)

    return respond


@dataclass
class Script:
    replies: list[Reply]
    respond: Callable[[dict[str, Any]], Reply] | None = None
    """Makes each reply from the request's body instead of `replies`, when set."""
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)
    """`time.monotonic()` at each request's arrival."""

    def next(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        self.arrivals.append(time.monotonic())
        self.requests.append(body)
        self.headers.append(headers)
        if self.respond is not None:
            return self.respond(body)
        if not self.replies:
            return failure(500, "nothing scripted")
        return self.replies[min(len(self.requests), len(self.replies)) - 1]

    @property
    def calls(self) -> int:
        return len(self.requests)


class FakeLLM:
    """The server; `script(*replies)` gives a test its own base URL and script."""

    def __init__(self) -> None:
        self.scripts: dict[str, Script] = {}
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        app = Starlette(
            routes=[Route("/{script}/v1/chat/completions", self._completions, methods=["POST"])]
        )
        config = uvicorn.Config(
            app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the fake LLM server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()

    def script(
        self, *replies: Reply, respond: Callable[[dict[str, Any]], Reply] | None = None
    ) -> tuple[str, Script]:
        """(base URL, script) for one test."""
        name = uuid.uuid4().hex
        self.scripts[name] = script = Script(list(replies), respond)
        return f"http://127.0.0.1:{self.port}/{name}/v1", script

    def forget(self, script: Script) -> None:
        self.scripts = {name: kept for name, kept in self.scripts.items() if kept is not script}

    async def _completions(self, request: Request) -> Response:
        script = self.scripts.get(request.path_params["script"])
        if script is None:
            return JSONResponse({"error": {"message": "no such script"}}, status_code=404)
        reply = script.next(await request.json(), dict(request.headers))
        if reply.delay and await _client_left_within(request, reply.delay):
            return Response(status_code=499)
        if isinstance(reply.body, str):
            return Response(
                reply.body,
                status_code=reply.status,
                media_type="application/json",
                headers=reply.headers,
            )
        return JSONResponse(reply.body, status_code=reply.status, headers=reply.headers)


async def _client_left_within(request: Request, seconds: float) -> bool:
    """Wait `seconds`, or less if the client hangs up first (so nothing outlives its test)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await request.is_disconnected():
            return True
        await asyncio.sleep(0.02)
    return False
