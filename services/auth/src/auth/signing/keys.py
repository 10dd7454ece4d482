"""Ed25519 signing keys: loaded from the environment, generated once for development, and
published as a JWKS (RFC 7517, RFC 8037) with RFC 7638 thumbprints as key ids."""

import base64
import hashlib
import json
import logging
import os
import re
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from jwt import PyJWK

from auth.settings import DEVELOPMENT_KEY_FILE, Settings

logger = logging.getLogger(__name__)

ALGORITHM = "EdDSA"
_PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z ]+)-----.+?-----END \1-----", re.DOTALL)


class SigningKeyMissing(RuntimeError):
    """Production never signs with a generated key: it refuses to start instead."""


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_key: Ed25519PublicKey) -> str:
    """RFC 7638 thumbprint: SHA-256 of the required members in lexicographic order."""
    members = {"crv": "Ed25519", "kty": "OKP", "x": _b64url(_raw(public_key))}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode()
    return _b64url(hashlib.sha256(canonical).digest())


def public_jwk(public_key: Ed25519PublicKey) -> dict[str, str]:
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": _b64url(_raw(public_key)),
        "kid": key_id(public_key),
        "alg": ALGORITHM,
        "use": "sig",
    }


class KeyRing:
    """The key that signs, and every public key still accepted (published in the JWKS).

    Built from the configured keys (`JWT_SIGNING_KEY`, `JWT_PREVIOUS_PUBLIC_KEYS`); `update`
    lays the keys rotated in and withdrawn by `python -m auth.signing` over them: the newest
    rotated key signs, and a withdrawn kid is neither published nor accepted. Auth verifies its
    own tokens with it (it is a `KeySource`), so a withdrawn key is refused here as elsewhere.
    """

    def __init__(
        self, signing_key: Ed25519PrivateKey, previous: Sequence[Ed25519PublicKey] = ()
    ) -> None:
        self._configured = signing_key
        self._configured_previous = list(previous)
        self._verifying: dict[str, PyJWK] = {}
        self._apply(signing_key, [signing_key.public_key(), *previous], frozenset())

    def _apply(
        self,
        signing_key: Ed25519PrivateKey,
        published: Sequence[Ed25519PublicKey],
        withdrawn: frozenset[str],
    ) -> None:
        self.signing_key = signing_key
        self.kid = key_id(signing_key.public_key())
        self.withdrawn = withdrawn
        keys: dict[str, Ed25519PublicKey] = {}
        for key in published:
            kid = key_id(key)
            if kid not in withdrawn and kid not in keys:
                keys[kid] = key
        self.previous = [key for kid, key in keys.items() if kid != self.kid]
        self._published = [self.signing_key.public_key(), *self.previous]
        # One PyJWK object per kid for as long as it is published: the token cache of the
        # verifier compares keys by identity.
        jwks = {jwk["kid"]: jwk for jwk in (public_jwk(key) for key in self._published)}
        self._verifying = {
            kid: self._verifying.get(kid) or PyJWK(jwk, algorithm=ALGORITHM)
            for kid, jwk in jwks.items()
        }

    def update(self, rotated: Sequence[Ed25519PrivateKey], withdrawn: Collection[str]) -> None:
        """`rotated`: keys made by `rotate`, oldest first; `withdrawn`: kids never to accept."""
        withdrawn = frozenset(withdrawn)
        usable = [key for key in rotated if key_id(key.public_key()) not in withdrawn]
        signing_key = usable[-1] if usable else self._configured
        published = [
            *(key.public_key() for key in reversed(usable)),
            self._configured.public_key(),
            *self._configured_previous,
        ]
        self._apply(signing_key, published, withdrawn)

    @property
    def kids(self) -> list[str]:
        return list(self._verifying)

    def jwks(self) -> dict[str, Any]:
        return {"keys": [public_jwk(key) for key in self._published]}

    async def get(self, kid: str) -> PyJWK | None:
        return self._verifying.get(kid)

    async def aclose(self) -> None:
        return None


def private_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _pem_blocks(text: str) -> list[bytes]:
    # Environment variables often carry PEM with literal "\n" for newlines.
    text = text.replace("\\n", "\n")
    return [match.group(0).encode() for match in _PEM_BLOCK.finditer(text)]


def parse_private_key(pem: str) -> Ed25519PrivateKey:
    blocks = _pem_blocks(pem)
    if len(blocks) != 1:
        raise ValueError("expected exactly one PEM private key")
    key = serialization.load_pem_private_key(blocks[0], password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the signing key must be an Ed25519 private key")
    return key


def parse_public_keys(pem: str) -> list[Ed25519PublicKey]:
    """Every PEM block as an Ed25519 public key; a private key block gives its public half."""
    keys = []
    for block in _pem_blocks(pem):
        if b"PRIVATE KEY" in block.split(b"\n", 1)[0]:
            key: Any = serialization.load_pem_private_key(block, password=None).public_key()
        else:
            key = serialization.load_pem_public_key(block)
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("previous keys must be Ed25519 keys")
        keys.append(key)
    return keys


def load_or_create_key_file(path: Path) -> Ed25519PrivateKey:
    """The key in `path`; generated and written (mode 0600) the first time, race-free."""
    if path.exists():
        return parse_private_key(path.read_text())
    key = Ed25519PrivateKey.generate()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(private_pem(key))
        try:
            os.link(temporary, path)  # fails if another process got there first
        except FileExistsError:
            return parse_private_key(path.read_text())
        finally:
            temporary.unlink()
    except OSError as exc:
        logger.warning(
            "cannot keep a development signing key at %s (%s): using a key for this process "
            "only; tokens will not survive a restart",
            path,
            exc.__class__.__name__,
        )
        return key
    logger.info("generated a development signing key at %s", path)
    return key


def load_key_ring(settings: Settings) -> KeyRing:
    """The configured keys. Only development and test may generate one."""
    if settings.jwt_signing_key is not None:
        signing_key = parse_private_key(settings.jwt_signing_key.get_secret_value())
    elif settings.jwt_signing_key_file is not None and settings.environment == "production":
        if not settings.jwt_signing_key_file.is_file():
            raise SigningKeyMissing(f"JWT_SIGNING_KEY_FILE {settings.jwt_signing_key_file} missing")
        signing_key = parse_private_key(settings.jwt_signing_key_file.read_text())
    elif settings.environment == "production":
        raise SigningKeyMissing(
            "auth refuses to start in production without JWT_SIGNING_KEY or JWT_SIGNING_KEY_FILE"
        )
    else:
        signing_key = load_or_create_key_file(settings.jwt_signing_key_file or DEVELOPMENT_KEY_FILE)
    previous = parse_public_keys(settings.jwt_previous_public_keys or "")
    return KeyRing(signing_key, previous)
