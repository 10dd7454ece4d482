"""Library guardrails: every `jwt.decode` is pinned down, and the libraries are new enough."""

import ast
import tomllib
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from schediora_testkit.testing import REPO_ROOT

REQUIRED_CLAIMS = {"exp", "iat", "sub", "aud", "iss"}
ASYMMETRIC_ALGORITHMS = {"EdDSA", "RS256", "PS256", "ES256"}
DECODERS = {"decode", "decode_complete"}
# Lower-level APIs that verify a signature without checking any claim.
BYPASSES = {"PyJWS", "PyJWT", "api_jws", "api_jwt"}
MINIMUM_VERSIONS = {
    "pyjwt": Version("2.13"),  # CVE-2026-48526: a JWK accepted as an HMAC secret
    "aio-pika": Version("9.6"),
    "argon2-cffi": Version("21.2"),
}


def source_files() -> Iterator[Path]:
    """Production code under libs/ and services/ (test suites may inspect tokens freely)."""
    for root in ("libs", "services"):
        for path in sorted((REPO_ROOT / root).rglob("*.py")):
            if not {"tests", ".venv", "__pycache__"} & set(path.relative_to(REPO_ROOT).parts):
                yield path


def _literal(node: ast.expr | None) -> object:
    try:
        return ast.literal_eval(node) if node is not None else None
    except ValueError:
        return None


def decode_problems(source: str) -> tuple[int, list[str]]:
    """(number of `jwt.decode` calls, what is wrong with them) in one module's source."""
    tree = ast.parse(source)
    modules, functions, problems = set(), set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {a.asname or a.name for a in node.names if a.name == "jwt"}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "jwt":
            for alias in node.names:
                if alias.name in DECODERS:
                    functions.add(alias.asname or alias.name)
                if alias.name in BYPASSES or node.module in {"jwt.api_jws", "jwt.api_jwt"}:
                    problems.append(f"line {node.lineno}: imports jwt's low-level {alias.name}")
    calls = 0
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.value.id in modules and func.attr in BYPASSES:
                problems.append(f"line {node.lineno}: uses jwt.{func.attr}")
            is_decode = func.value.id in modules and func.attr in DECODERS
        else:
            is_decode = isinstance(func, ast.Name) and func.id in functions
        if is_decode:
            calls += 1
            problems += [f"line {node.lineno}: {p}" for p in _call_problems(node)]
    return calls, problems


def _call_problems(call: ast.Call) -> list[str]:
    if any(k.arg is None for k in call.keywords):
        return ["**kwargs hides what is checked"]
    kwargs = {k.arg: k.value for k in call.keywords}
    problems = []
    algorithms = kwargs.get("algorithms")
    if not isinstance(algorithms, ast.List | ast.Tuple) or not isinstance(
        _literal(algorithms), list | tuple
    ):
        problems.append("algorithms is not a literal list")
    elif not algorithms.elts or not set(_literal(algorithms)) <= ASYMMETRIC_ALGORITHMS:
        problems.append(f"algorithms {_literal(algorithms)} is not an asymmetric allowlist")
    for name in ("audience", "issuer"):
        value = kwargs.get(name)
        if value is None or (isinstance(value, ast.Constant) and value.value is None):
            problems.append(f"no {name}")
    options = kwargs.get("options")
    if not isinstance(options, ast.Dict):
        return [*problems, "options is not a literal dict with require"]
    entries = {_literal(k): v for k, v in zip(options.keys, options.values, strict=True)}
    require = _literal(entries.get("require"))
    if not isinstance(require, list) or not set(require) >= REQUIRED_CLAIMS:
        problems.append(f"require {require} lacks some of {sorted(REQUIRED_CLAIMS)}")
    if disabled := [k for k in entries if isinstance(k, str) and k.startswith("verify_")]:
        problems.append(f"options switch checks: {disabled}")
    return problems


def test_every_jwt_decode_call_fixes_algorithms_audience_issuer_and_required_claims():
    calls, problems = 0, []
    for path in source_files():
        found, wrong = decode_problems(path.read_text())
        calls += found
        problems += [f"{path.relative_to(REPO_ROOT)} {p}" for p in wrong]
    assert calls >= 1, "the verifier's jwt.decode call was not found"
    assert problems == []


@pytest.mark.parametrize(
    "call",
    [
        "jwt.decode(t, k)",
        'jwt.decode(t, k, algorithms=header["alg"], audience=a, issuer=i, '
        'options={"require": ["exp", "iat", "sub", "aud", "iss"]})',
        'jwt.decode(t, k, algorithms=["HS256", "EdDSA"], audience=a, issuer=i, '
        'options={"require": ["exp", "iat", "sub", "aud", "iss"]})',
        'jwt.decode(t, k, algorithms=["EdDSA"], issuer=i, '
        'options={"require": ["exp", "iat", "sub", "aud", "iss"]})',
        'jwt.decode(t, k, algorithms=["EdDSA"], audience=a, issuer=i, '
        'options={"require": ["sub"]})',
        'jwt.decode(t, k, algorithms=["EdDSA"], audience=a, issuer=i, '
        'options={"require": ["exp", "iat", "sub", "aud", "iss"], "verify_exp": False})',
        'jwt.decode(t, k, algorithms=["EdDSA"], audience=a, issuer=i, **options)',
    ],
)
def test_the_guardrail_catches_a_loose_decode(call):
    for source in (f"import jwt\n{call}", f"import jwt as pyjwt\n{call.replace('jwt.', 'pyjwt.')}"):
        calls, problems = decode_problems(source)
        assert calls == 1
        assert problems


def test_the_guardrail_catches_decode_imported_by_name_and_low_level_apis():
    assert decode_problems("from jwt import decode as d\nd(t, k)")[1]
    assert decode_problems("from jwt import PyJWS\n")[1]
    assert decode_problems("import jwt\njwt.PyJWS().decode(t, k)")[1]


@pytest.mark.parametrize("distribution", MINIMUM_VERSIONS)
def test_installed_security_libraries_are_at_least_the_fixed_versions(distribution):
    assert Version(version(distribution)) >= MINIMUM_VERSIONS[distribution]


def test_every_package_that_declares_a_security_library_pins_the_fixed_floor():
    pins = []
    for pyproject in sorted(REPO_ROOT.glob("*/*/pyproject.toml")):
        project = tomllib.loads(pyproject.read_text()).get("project", {})
        for line in project.get("dependencies", []):
            requirement = Requirement(line)
            minimum = MINIMUM_VERSIONS.get(requirement.name.lower())
            if minimum is None:
                continue
            floors = [Version(s.version) for s in requirement.specifier if s.operator == ">="]
            pins.append((pyproject.parent.name, requirement.name))
            assert floors, f"{pyproject}: {line} has no >= floor"
            assert max(floors) >= minimum, f"{pyproject}: {line} allows < {minimum}"
    assert ("runtime", "pyjwt") in pins
