"""Forged access tokens (docs/architecture.md: Security): each is what some attack would present."""

import hashlib
import hmac
import json
import re
import secrets
import time
import uuid
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives import serialization

from schediora_testkit.tokens import SigningKey, access_claims, b64url, segment

Forge = Callable[[SigningKey, uuid.UUID], str]


def _unsigned(header: dict, claims: dict) -> str:
    return f"{segment(header)}.{segment(claims)}."


def _hs256(key: SigningKey, user_id: uuid.UUID, secret: bytes) -> str:
    """Key confusion: HMAC "signed" with the verifier's own public key as the secret."""
    header = {"alg": "HS256", "typ": "at+jwt", "kid": key.kid}
    signing_input = f"{segment(header)}.{segment(access_claims(user_id))}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(mac)}"


def _public_pem(key: SigningKey) -> bytes:
    return key.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _tampered_sub(key: SigningKey, user_id: uuid.UUID) -> str:
    header, _, signature = key.access_token(user_id).split(".")
    return f"{header}.{segment(access_claims(uuid.uuid4()))}.{signature}"


def _flipped_signature(key: SigningKey, user_id: uuid.UUID) -> str:
    token = key.access_token(user_id)
    return token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]


def _attacker_header(name: str, value: Callable[[SigningKey], object]) -> Forge:
    """Signed by an attacker's key that the header itself names or embeds."""

    def forge(key: SigningKey, user_id: uuid.UUID) -> str:
        attacker = SigningKey(kid=key.kid)
        return attacker.sign(access_claims(user_id), **{name: value(attacker)})

    return forge


def _claims(**overrides: object) -> Forge:
    """Signed with the real key: only the claim under test is wrong."""
    return lambda key, user_id: key.sign(access_claims(user_id, **overrides))


def _header(**overrides: object) -> Forge:
    """Signed with the real key: only the header parameter under test is wrong."""
    return lambda key, user_id: key.sign(access_claims(user_id), **overrides)


def _now() -> int:
    return int(time.time())


FORGED: dict[str, Forge] = {
    # Signature
    "alg none": lambda k, u: _unsigned(
        {"alg": "none", "typ": "at+jwt", "kid": k.kid}, access_claims(u)
    ),
    "alg None, signature kept": lambda k, u: (
        _unsigned({"alg": "None", "typ": "at+jwt", "kid": k.kid}, access_claims(u))
        + k.access_token(u).rsplit(".", 1)[1]
    ),
    "wrong key with the real kid": lambda k, u: SigningKey(kid=k.kid).access_token(u),
    "tampered sub": _tampered_sub,
    "tampered signature": _flipped_signature,
    "signature stripped": lambda k, u: k.access_token(u).rsplit(".", 1)[0] + ".",
    # Key confusion
    "HS256 with the public key as PEM": lambda k, u: _hs256(k, u, _public_pem(k)),
    "HS256 with the public key as JWK JSON": lambda k, u: _hs256(
        k, u, json.dumps(k.public_jwk()).encode()
    ),
    "HS256 with the raw public key": lambda k, u: _hs256(
        k, u, k.private_key.public_key().public_bytes_raw()
    ),
    "alg RS256 header on an EdDSA signature": _header(alg="RS256"),
    "alg Ed25519 (not the allowed name)": _header(alg="Ed25519"),
    # Time
    "exp 1 s past the 5 s leeway": lambda k, u: k.sign(access_claims(u, exp=_now() - 6)),
    "no exp": _claims(exp=None),
    "exp not a number": _claims(exp="tomorrow"),
    "exp beyond year 9999": _claims(exp=10**15),
    "nbf +1 h": lambda k, u: k.sign(access_claims(u, nbf=_now() + 3600)),
    "iat +1 h": lambda k, u: k.sign(access_claims(u, iat=_now() + 3600)),
    "no iat": _claims(iat=None),
    # Claims
    "wrong aud": _claims(aud="schediora-admin"),
    "missing aud": _claims(aud=None),
    "aud list without ours": _claims(aud=["schediora-admin", "other"]),
    "wrong iss": _claims(iss="https://evil.example"),
    "iss prefix": _claims(iss="schediora"),
    "iss prefix http": _claims(iss="http"),
    "iss as a list": _claims(iss=["schediora-auth"]),
    "missing iss": _claims(iss=None),
    "sub not a UUID": _claims(sub="admin"),
    "sub a UUID in another spelling": lambda k, u: k.sign(access_claims(u, sub=u.hex)),
    "no sub": _claims(sub=None),
    "no jti": _claims(jti=None),
    # Type and headers
    "typ JWT": _header(typ="JWT"),
    "typ refresh": _header(typ="refresh"),
    "no typ": _header(typ=None),
    "unknown kid": _header(kid="not-a-published-kid"),
    "no kid": _header(kid=None),
    "kid not a string": _header(kid=7),
    "jku naming an attacker JWKS": _attacker_header("jku", lambda a: "https://evil.example/jwks"),
    "x5u naming an attacker certificate": _attacker_header(
        "x5u", lambda a: "https://evil.example/c"
    ),
    "jwk embedding the attacker key": _attacker_header("jwk", lambda a: a.public_jwk()),
    "x5c embedding an attacker certificate": _attacker_header("x5c", lambda a: ["MIIB"]),
    "jku on a token the real key signed": _header(jku="https://evil.example/jwks"),
    "crit [x]": _header(crit=["x"], x=True),
    "crit [b64] with b64 false": _header(crit=["b64"], b64=False),
    # Not a token at all
    "garbage": lambda k, u: "garbage",
    "three dots": lambda k, u: "a.b.c",
    "empty segments": lambda k, u: "..",
    "header not JSON": lambda k, u: f"{b64url(b'{nope')}.{segment(access_claims(u))}.AAAA",
    "header a JSON list": lambda k, u: f"{b64url(b'[1]')}.{segment(access_claims(u))}.AAAA",
    "claims not an object": lambda k, u: k.sign(["not", "claims"]),  # type: ignore[arg-type]
    "JWE-shaped (five parts)": lambda k, u: "a.b.c.d.e",
    "an opaque refresh token": lambda k, u: secrets.token_urlsafe(32),
    "oversized (64 KiB)": lambda k, u: k.access_token(u) + "A" * 65536,
    "non-ASCII": lambda k, u: "ünïcödé.ẗöḳëṅ.x",
}


HTTP_METHODS = ("get", "put", "post", "delete", "patch")


def operations(openapi: dict[str, Any]) -> dict[tuple[str, str], bool]:
    """Every operation of an OpenAPI document, `(METHOD, path)` → whether it asks for the bearer
    token (its own `security`, else the document's)."""
    default = openapi.get("security", [])
    found = {}
    for path, item in openapi.get("paths", {}).items():
        for method in HTTP_METHODS:
            if method in item:
                security = item[method].get("security", default)
                found[(method.upper(), path)] = bool(security)
    return found


def concrete(path: str) -> str:
    """The path with a random UUID in each `{parameter}`: a resource nobody owns."""
    return re.sub(r"\{[^}/]+\}", lambda _match: str(uuid.uuid4()), path)


async def refusals(client: Any, key: SigningKey, method: str, path: str) -> dict[str, Any]:
    """Each forged token of `FORGED` presented to one operation: name → the response. No body is
    sent: authentication is decided before the body is read. One request id for all, so the
    bodies can be compared byte for byte."""
    url = concrete(path)
    user_id = uuid.uuid4()
    answered = {}
    for name, forge in FORGED.items():
        headers = {
            "Authorization": f"Bearer {forge(key, user_id)}".encode(),
            "X-Request-ID": b"forgery",
        }
        answered[name] = await client.request(method, url, headers=headers)
    return answered


async def assert_every_protected_operation_refuses_forgeries_alike(
    client: Any, openapi: dict[str, Any], key: SigningKey, public: set[tuple[str, str]]
) -> tuple[int, int]:
    """A service's whole forged-token check: the operations that do not ask for the bearer token
    are exactly `public`, and every other one answers each forgery of `FORGED` with a 401, the
    `invalid_token` challenge and one body for all. (operations, requests) for the figures."""
    served = operations(openapi)
    assert {operation for operation, needs_token in served.items() if not needs_token} == public
    protected = sorted(operation for operation, needs_token in served.items() if needs_token)
    answers = {
        (method, path, name): response
        for method, path in protected
        for name, response in (await refusals(client, key, method, path)).items()
    }
    assert len(answers) == len(protected) * len(FORGED)
    assert {k: r.status_code for k, r in answers.items() if r.status_code != 401} == {}
    assert {r.headers["www-authenticate"] for r in answers.values()} == {
        'Bearer error="invalid_token"'
    }
    bodies = {r.content for r in answers.values()}
    assert len(bodies) == 1, sorted(bodies)[:3]
    return len(protected), len(answers)
