"""Test support: a schemathesis run against a service's OpenAPI document, summed up.

Not imported by service code; schemathesis is a development dependency, imported only here.
Every phase runs (examples, coverage, fuzzing, and the stateful phase along the document's
links) with every check schemathesis has but one: no 5xx; only documented statuses, content
types and headers; bodies that match their schemas; negative data refused with a 4xx; missing
required headers and unsupported methods refused (a 405 with a full `Allow`); no use of a
deleted resource and no 404 for one just created; authentication enforced (`ignored_auth`
sends each secured operation once without and once with invalid credentials). The one left
out is `positive_data_acceptance` (`NOT_RUN`). The health probes are left out too: a `503`
from `/health/ready` (a dependency slow under load) is their documented purpose.
"""

import ast
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
    "use_after_free",
    "ensure_resource_availability",
    "ignored_auth",
    "object_level_authorization",
)
NEGATIVE_DATA_REFUSALS = (400, 415, 422)
"""What a request the document calls invalid must get (schemathesis would also take 401, 403,
404, 405, 406, 409, 428 and 429): a validation error, or a 415 for a body sent without its
media type (an iCalendar upload with none), nothing else."""
KEY_CHECKS = (
    "negative_data_rejection",
    "ignored_auth",
    "use_after_free",
    "ensure_resource_availability",
    "allow_header_conformance",
)
"""The checks whose counts a conformance test prints (docs/reliability.md, items 29 and 30)."""
NOT_RUN = {
    "positive_data_acceptance": "it expects every schema-valid request to succeed, but a"
    " schema cannot say what the domain refuses with a 422: a session that ends before it"
    " starts, a week_start that is not the first day of the user's week, a cursor the server"
    " never issued, a subject id the user does not own. negative_data_rejection checks the"
    " other direction.",
}


def _every_check_is_run_or_excused() -> None:
    """A check a newer schemathesis adds fails the run until it is enabled or excused here."""
    from schemathesis.checks import CHECKS as REGISTERED

    unknown = set(REGISTERED.get_all_names()) - set(CHECKS) - set(NOT_RUN)
    assert not unknown, f"schemathesis checks neither run nor excused: {sorted(unknown)}"


@dataclass
class ConformanceRun:
    """What a run generated and found: cases per phase, failures and errors as text."""

    cases: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    checks: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    phases: dict[str, str] = field(default_factory=dict)
    links: int = 0
    """Transitions between operations the stateful phase could follow."""

    def failed(self, check: str) -> int:
        return self.checks[f"{check} failure"]

    def passed_and_failed(self, *names: str) -> str:
        """`name passed/failed` for each check named: the figures of items 29 and 30."""
        return ", ".join(
            f"{name} {self.checks[f'{name} success']}/{self.failed(name)}" for name in names
        )

    @property
    def total_cases(self) -> int:
        return sum(self.cases.values())

    def summary(self) -> str:
        phases = ", ".join(f"{phase} {count}" for phase, count in sorted(self.cases.items()))
        statuses = ", ".join(f"{status}: {n}" for status, n in sorted(self.statuses.items()))
        checked = sum(n for name, n in self.checks.items() if not name.endswith(" skip"))
        return (
            f"{self.total_cases} cases ({phases}); {self.links} links; answers {statuses};"
            f" {checked} checks of {len({n.split()[0] for n in self.checks})} kinds;"
            f" {len(self.failures)} failures, {len(self.errors)} errors"
        )

    def report(self) -> str:
        return "\n".join([self.summary(), *self.failures, *self.errors])


def config(
    *,
    headers: dict[str, str],
    max_examples: int,
    max_steps: int = 8,
    coverage: bool = True,
    seed: int = 20261203,
    refusals: tuple[int, ...] = NEGATIVE_DATA_REFUSALS,
) -> Any:
    """Fuzzing draws `max_examples` cases per operation; the coverage phase (boundary and
    invalid values, unexpected methods) draws as many as the document implies, unless off.
    `refusals` are the statuses a schema-violating request may get (`negative_data_rejection`;
    a run without credentials adds 401, which comes first)."""
    import schemathesis

    _every_check_is_run_or_excused()
    return schemathesis.Config.from_dict(
        {
            "seed": seed,
            "headers": headers,
            "generation": {"max-examples": max_examples},
            "checks": {
                "enabled": False,
                **{name: {"enabled": True} for name in CHECKS},
                "negative_data_rejection": {
                    "enabled": True,
                    "expected-statuses": list(refusals),
                },
            },
            "phases": {
                "coverage": {"enabled": coverage},
                "stateful": {"max-steps": max_steps},
            },
        }
    )


@contextmanager
def _one_ast_parse_at_a_time() -> Iterator[None]:
    """CPython 3.11 keeps `ast.parse`'s recursion depth in state every thread shares, so two
    threads parsing at once can fail with "SystemError: AST constructor recursion depth
    mismatch" (python/cpython#106905). During a run they do: Hypothesis reads source constants
    and lambdas in schemathesis' worker thread while the app, on schemathesis' event-loop
    thread, formats the tracebacks its spans record. Serialised, neither can trip the other."""
    parse = ast.parse
    lock = threading.RLock()

    def serialised(*args: Any, **kwargs: Any) -> Any:
        with lock:
            return parse(*args, **kwargs)

    ast.parse = serialised  # type: ignore[assignment]
    try:
        yield
    finally:
        ast.parse = parse


def run_asgi(app: Any, **settings: Any) -> ConformanceRun:
    """Run against an ASGI app in process; schemathesis runs its lifespan on its own event
    loop and keeps it up until `stop_asgi_apps()`."""
    import schemathesis

    with _one_ast_parse_at_a_time():
        schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config(**settings))
        return _run(schema)


def stop_asgi_apps() -> None:
    """Shut down the lifespans schemathesis started for `run_asgi`."""
    from schemathesis.python import asgi

    asgi.shutdown_lifespans()


def run_url(url: str, **settings: Any) -> ConformanceRun:
    """Run against a server over HTTP, the document at `url`."""
    import schemathesis

    with _one_ast_parse_at_a_time():
        return _run(schemathesis.openapi.from_url(url, config=config(**settings)))


def _run(schema: Any) -> ConformanceRun:
    from schemathesis.engine import Status, events, from_schema

    run = ConformanceRun()
    schema = schema.exclude(path_regex="/health/")
    stream = from_schema(schema).execute()
    run.links = schema.statistic.transitions.total
    for event in stream:
        if isinstance(event, events.ScenarioFinished):
            run.cases[event.phase.value] += len(event.recorder.cases)
            for interaction in event.recorder.interactions.values():
                if interaction.response is not None:
                    run.statuses[interaction.response.status_code] += 1
            for checks in event.recorder.checks.values():
                for check in checks:
                    run.checks[f"{check.name} {check.status.value}"] += 1
                    if check.status == Status.FAILURE and check.failure_info is not None:
                        failure = check.failure_info.failure
                        sample = check.failure_info.code_sample
                        run.failures.append(
                            f"[{event.phase.value}] {event.recorder.label}: {check.name}:"
                            f" {failure.title} {failure.message}\n{sample}"
                        )
        elif isinstance(event, events.NonFatalError):
            run.errors.append(f"{event.label}: {event.value!r}")
        elif isinstance(event, events.FatalError):
            run.errors.append(f"fatal: {event.exception!r}")
        elif isinstance(event, events.PhaseFinished):
            skipped = event.phase.skip_reason
            run.phases[event.phase.name.value] = (
                f"skipped ({skipped.value})" if skipped else event.status.value
            )
    return run
