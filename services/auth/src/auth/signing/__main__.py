"""`python -m auth.signing`: rotate auth's signing key, withdraw an old one, list the keys.

    python -m auth.signing list
    python -m auth.signing rotate            # a new key signs; the previous ones stay accepted
    python -m auth.signing withdraw <kid>    # refused everywhere within about a second

Runs with auth's settings (DATABASE_URL, RABBITMQ_URL, JWT_SIGNING_KEY, ... as the service).
Each change commits with its `auth.signing_keys_rotated` event; the command then publishes the
event itself (the running auth relay would within OUTBOX_POLL_INTERVAL_SECONDS otherwise), so
planner and ai hear it at once. Between `rotate` and `withdraw` of the old key wait at least
ACCESS_TOKEN_TTL_SECONDS (the overlap), unless the old key is compromised: tokens it signed are
refused as soon as it is withdrawn. auth/README.md: "Key rotation".
"""

import argparse
import asyncio
import json
import sys

from auth.db import outbox
from auth.models import load_models
from auth.settings import Settings
from auth.signing import service
from auth.signing.keys import load_key_ring
from auth.signing.service import KeyChange, KeyChangeRefused
from schediora_runtime.clock import utc_now
from schediora_runtime.database import create_engine, create_sessionmaker
from schediora_runtime.messaging.broker import Broker
from schediora_runtime.messaging.relay import OutboxRelay
from schediora_runtime.messaging.topology import Topology

PUBLISH_WAIT_SECONDS = 10.0


async def run(settings: Settings, command: str, kid: str | None = None) -> KeyChange | None:
    """One key operation against auth's database; returns the change (None for `list`)."""
    load_models()
    ring = load_key_ring(settings)
    engine = create_engine(settings)
    try:
        sessionmaker = create_sessionmaker(engine)
        async with sessionmaker.begin() as session:
            if command == "list":
                await service.reload(session, ring)
                print(json.dumps({"signing_kid": ring.kid, "kids": ring.kids}, indent=2))
                return None
            if command == "rotate":
                change = await service.rotate(
                    session, ring, issuer=settings.jwt_issuer, now=utc_now()
                )
            else:
                assert kid is not None
                change = await service.withdraw(
                    session, ring, kid, issuer=settings.jwt_issuer, now=utc_now()
                )
        await _publish_now(settings, engine)
        return change
    finally:
        await engine.dispose()


async def _publish_now(settings: Settings, engine) -> None:
    """Relay auth's outbox once; if the broker is out of reach, auth's own relay will."""
    topology = Topology(exchange=settings.events_exchange, queue=settings.service_queue)
    broker = Broker(settings.rabbitmq_url, topology, name="auth-signing-cli")
    await broker.start()
    try:
        await broker.wait_connected(PUBLISH_WAIT_SECONDS)
        relay = OutboxRelay(engine, outbox, broker, batch_size=settings.outbox_batch_size)
        while await relay.relay_batch() >= settings.outbox_batch_size:
            pass
    except TimeoutError:
        print("broker unreachable: auth's relay publishes the event", file=sys.stderr)
    finally:
        await broker.stop()


def _kid_as_positional(argv: list[str]) -> list[str]:
    """A kid is base64url and may begin with "-", which argparse would read as an option:
    `withdraw -AbC...` is given to argparse as `withdraw -- -AbC...`."""
    if len(argv) == 2 and argv[0] == "withdraw" and argv[1] not in ("-h", "--help"):
        return [argv[0], "--", argv[1]]
    return argv


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m auth.signing", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="the signing kid and every published kid")
    commands.add_parser("rotate", help="make a new signing key; earlier ones stay accepted")
    withdraw = commands.add_parser("withdraw", help="stop accepting a key (not the signing one)")
    withdraw.add_argument("kid")
    args = parser.parse_args(_kid_as_positional(sys.argv[1:] if argv is None else argv))
    try:
        change = asyncio.run(run(Settings(), args.command, getattr(args, "kid", None)))
    except KeyChangeRefused as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    if change is not None:
        print(
            json.dumps(
                {
                    "signing_kid": change.signing_kid,
                    "kids": change.kids,
                    "withdrawn_kids": change.withdrawn_kids,
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
