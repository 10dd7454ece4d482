"""Key rotation: make a new signing key, withdraw an old one, and load the ring from the table.

Each change and its `SigningKeysRotated` event commit together (outbox); the event tells
planner and ai which kids are published now, so a withdrawn key is refused everywhere within
about a second, and a new one is known before its first token arrives."""

from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy.ext.asyncio import AsyncSession

from auth.db import outbox
from auth.signing import repository
from auth.signing.keys import KeyRing, key_id, parse_private_key, private_pem
from auth.signing.models import SigningKey
from schediora_contracts import SigningKeysRotated
from schediora_runtime.messaging.outbox import record_event


class KeyChangeRefused(ValueError):
    """A withdrawal that would leave auth without a key to sign with, or of an unknown kid."""


@dataclass(frozen=True)
class KeyChange:
    signing_kid: str
    kids: list[str]
    withdrawn_kids: list[str]


def _public_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


async def reload(session: AsyncSession, ring: KeyRing) -> None:
    """Lay the table's rotated and withdrawn keys over the configured ones."""
    rows = await repository.all_keys(session)
    ring.update(
        [parse_private_key(row.private_pem) for row in rows if row.private_pem is not None],
        {row.kid for row in rows if row.withdrawn_at is not None},
    )


async def rotate(session: AsyncSession, ring: KeyRing, *, issuer: str, now: datetime) -> KeyChange:
    """A new key signs from now on; the previous ones stay published until withdrawn."""
    await repository.lock_keys(session)
    await reload(session, ring)
    key = Ed25519PrivateKey.generate()
    await repository.add(
        session,
        SigningKey(
            kid=key_id(key.public_key()),
            public_pem=_public_pem(key),
            private_pem=private_pem(key).decode(),
            created_at=now,
        ),
    )
    await reload(session, ring)
    return await _announce(session, ring, issuer=issuer, now=now, withdrawn=[])


async def withdraw(
    session: AsyncSession, ring: KeyRing, kid: str, *, issuer: str, now: datetime
) -> KeyChange:
    """Stop publishing and accepting `kid`: its tokens are refused from now on."""
    await repository.lock_keys(session)
    await reload(session, ring)
    if kid == ring.kid:
        raise KeyChangeRefused(f"{kid} signs the tokens now: rotate to a new key first")
    if kid not in ring.kids:
        raise KeyChangeRefused(f"{kid} is not a published key (published: {ring.kids})")
    row = await repository.get(session, kid)
    if row is None:
        # A configured key (JWT_PREVIOUS_PUBLIC_KEYS or an earlier JWT_SIGNING_KEY): remember
        # its withdrawal, without private material.
        [public] = [key for key in ring.previous if key_id(key) == kid]
        await repository.add(
            session,
            SigningKey(
                kid=kid,
                public_pem=_public_pem(public),
                private_pem=None,
                created_at=now,
                withdrawn_at=now,
            ),
        )
    else:
        await repository.mark_withdrawn(session, row, now)
    await reload(session, ring)
    return await _announce(session, ring, issuer=issuer, now=now, withdrawn=[kid])


async def _announce(
    session: AsyncSession, ring: KeyRing, *, issuer: str, now: datetime, withdrawn: list[str]
) -> KeyChange:
    change = KeyChange(signing_kid=ring.kid, kids=ring.kids, withdrawn_kids=withdrawn)
    await record_event(
        session,
        outbox,
        SigningKeysRotated(
            issuer=issuer,
            signing_kid=change.signing_kid,
            kids=tuple(change.kids),
            withdrawn_kids=tuple(withdrawn),
            rotated_at=now,
        ),
        producer="auth",
    )
    return change
