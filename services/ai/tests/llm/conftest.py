"""LLM fixtures: the fake OpenAI-compatible server (one per test session), a script of replies
per test, the ai settings that point the `openai` provider at it, and the database alone for the
tests that call the generation use case directly."""

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ai.settings import Settings
from schediora_runtime.database import create_engine, create_sessionmaker
from schediora_testkit import testing
from schediora_testkit.fake_llm import FakeLLM, Reply, Script

MODEL = "fake-model"
API_KEY = "test-key"
TIMEOUT_SECONDS = 0.5
MAX_ATTEMPTS = 3
BACKOFF_SECONDS = 0.01


@dataclass
class LLM:
    """The fake server as one test sees it: its own base URL, and `reply(...)` to script the
    answers (before or after the app starts: the URL stays the same)."""

    base_url: str
    script: Script

    def reply(self, *replies: Reply) -> Script:
        self.script.replies[:] = replies
        return self.script


@pytest.fixture(scope="session")
def fake_llm_server() -> Iterator[FakeLLM]:
    server = FakeLLM()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def llm(fake_llm_server) -> Iterator[LLM]:
    base_url, script = fake_llm_server.script()
    yield LLM(base_url, script)
    fake_llm_server.forget(script)


def openai_settings(base_url: str, **overrides) -> Settings:
    values = {
        "database_url": testing.database_url("ai"),
        "events_exchange": testing.unique_name("exchange"),
        "queue_name": testing.unique_name("ai"),
        "log_json": False,
        "ai_provider": "openai",
        "openai_base_url": base_url,
        "openai_model": MODEL,
        "openai_api_key": API_KEY,
        "openai_timeout_seconds": TIMEOUT_SECONDS,
        "openai_max_attempts": MAX_ATTEMPTS,
        # Transient errors back off before the next call: briefly here, so that the 0.5 s
        # calls of a 1.5 s budget still make their three attempts.
        "openai_retry_backoff_seconds": BACKOFF_SECONDS,
    }
    return Settings(_env_file=None, **(values | overrides))  # type: ignore[call-arg]


@pytest.fixture
def settings(test_database, llm) -> Settings:
    """The ai settings with the `openai` provider on this test's script."""
    return openai_settings(llm.base_url)


@pytest.fixture
async def sessionmaker(test_database) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(openai_settings("http://127.0.0.1:1/v1"))
    yield create_sessionmaker(engine)
    await engine.dispose()
