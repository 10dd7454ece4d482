"""docs/api.md tells the truth about the HTTP API: it documents every endpoint of the merged OpenAPI
document the gateway serves (and no other), with the success status the endpoint answers, and
every error `code` the services define.

The merged document is built in process exactly as `GET /api/v1/openapi.json` builds it: the
gateway's own document plus each service's, merged by `gateway.openapi.merge_openapi` along the
gateway's routing table.
"""

import importlib
import pkgutil
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ai.main import create_app as create_ai
from ai.settings import Settings as AiSettings
from auth.main import create_app as create_auth
from auth.settings import Settings as AuthSettings
from auth.signing.keys import private_pem
from gateway.main import create_app as create_gateway
from gateway.openapi import merge_openapi
from gateway.routing import RouteTable
from gateway.settings import Settings as GatewaySettings
from planner.main import create_app as create_planner
from planner.settings import Settings as PlannerSettings
from schediora_contracts.common import FeedbackAdjustments
from schediora_runtime import problems
from schediora_runtime.problems import ProblemError

API_DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
PACKAGES = ("schediora_contracts", "schediora_runtime", "auth", "planner", "ai", "gateway")
METHODS = ("get", "post", "put", "patch", "delete")
ENDPOINT = re.compile(r"^### (GET|POST|PUT|PATCH|DELETE) (/api/v1/\S*)$", re.MULTILINE)
CODE_ROW = re.compile(r"^\| `([a-z_]+)` \| (\d{3}) \|", re.MULTILINE)
STATUS_AND_CODE = re.compile(r"`(\d{3}) ([a-z_]+)`")


@cache
def merged_openapi() -> dict[str, Any]:
    common = {"log_json": False, "environment": "test"}
    key = private_pem(Ed25519PrivateKey.generate()).decode()
    documents = {
        "auth": create_auth(AuthSettings(jwt_signing_key=key, **common)).openapi(),
        "planner": create_planner(PlannerSettings(**common)).openapi(),
        "ai": create_ai(AiSettings(**common)).openapi(),
    }
    gateway = create_gateway(GatewaySettings(log_json=False)).openapi()
    return merge_openapi(gateway, documents, RouteTable().match)


def served() -> dict[tuple[str, str], dict[str, Any]]:
    """(METHOD, path) → operation, for every operation of the merged document."""
    return {
        (method.upper(), path): operation
        for path, item in merged_openapi()["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


def documented(text: str) -> dict[tuple[str, str], str]:
    """(METHOD, path) → the text of its section, for every endpoint heading of api.md."""
    headings = list(ENDPOINT.finditer(text))
    sections: dict[tuple[str, str], str] = {}
    for heading, following in zip(headings, [*headings[1:], None], strict=True):
        end = following.start() if following else len(text)
        key = (heading.group(1), heading.group(2))
        assert key not in sections, f"{key} is documented twice"
        sections[key] = text[heading.end() : end]
    return sections


def code_table(text: str) -> dict[str, set[int]]:
    """code → statuses, from the table of error codes (a code may have a row per status)."""
    table = text.split("## Error codes", 1)[1]
    rows: dict[str, set[int]] = {}
    for code, status in CODE_ROW.findall(table):
        rows.setdefault(code, set()).add(int(status))
    return rows


def defined_problem_codes() -> dict[str, set[int]]:
    """code → statuses of every ProblemError subclass the production packages define."""
    for package in PACKAGES:
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, f"{package}."):
            if not info.name.endswith("__main__"):
                importlib.import_module(info.name)

    def subclasses(cls: type[ProblemError]) -> list[type[ProblemError]]:
        return [deeper for sub in cls.__subclasses__() for deeper in (sub, *subclasses(sub))]

    codes: dict[str, set[int]] = {}
    for cls in [ProblemError, *subclasses(ProblemError)]:
        # Tests define problem types of their own; only the services' count.
        if cls.__module__.split(".")[0] in PACKAGES:
            codes.setdefault(cls.code, set()).add(cls.status)
    return codes


@pytest.fixture(scope="module")
def text() -> str:
    return API_DOC.read_text()


def test_every_served_endpoint_is_documented(text):
    missing = sorted(set(served()) - set(documented(text)))
    assert not missing, f"served but not in docs/api.md: {missing}"


def test_every_documented_endpoint_is_served(text):
    unknown = sorted(set(documented(text)) - set(served()))
    assert not unknown, f"in docs/api.md but not served: {unknown}"


def test_documented_success_status_is_the_served_one(text):
    operations = served()
    for key, section in documented(text).items():
        success = re.search(r"^Success: `(\d{3})`", section, re.MULTILINE)
        assert success, f"{key}: no 'Success: `NNN`' line"
        answered = {code for code in operations[key]["responses"] if code.startswith("2")}
        assert answered == {success.group(1)}, f"{key}: documented {success.group(1)}"


def test_every_endpoint_lists_its_errors_and_each_is_in_the_code_table(text):
    table = code_table(text)
    for key, section in documented(text).items():
        errors = re.search(r"^Errors: (.+?)(?:\n\n|\Z)", section, re.MULTILINE | re.DOTALL)
        assert errors, f"{key}: no 'Errors:' paragraph"
        for status, code in STATUS_AND_CODE.findall(errors.group(1)):
            assert int(status) in table.get(code, set()), (
                f"{key}: `{status} {code}` not in the table"
            )


def test_every_problem_code_of_the_services_is_in_the_code_table(text):
    table = code_table(text)
    defined = defined_problem_codes()
    assert {"email_taken", "onboarding_required", "payload_too_large"} <= set(defined)
    missing = {code: statuses for code, statuses in defined.items() if code not in table}
    assert not missing, f"codes the services answer but docs/api.md does not list: {missing}"
    wrong = {code: statuses for code, statuses in defined.items() if statuses - table[code]}
    assert not wrong, f"documented without one of its statuses: {wrong}"


def test_the_code_table_names_only_codes_that_exist(text):
    known = set(defined_problem_codes()) | set(problems._STATUS_CODES.values())
    invented = set(code_table(text)) - known
    assert not invented, f"docs/api.md lists codes no service answers: {invented}"


def test_structured_feedback_table_has_every_field_of_the_contract(text):
    section = text.split("### Structured feedback (`FeedbackAdjustments`)", 1)[1].split("\n## ")[0]
    rows = set(re.findall(r"^\| `([a-z_]+)` \|", section, re.MULTILINE))
    assert rows == set(FeedbackAdjustments.model_fields)
