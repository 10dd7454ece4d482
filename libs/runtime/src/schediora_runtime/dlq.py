"""A service's dead letters: list, show, replay or drop them (docs/operations.md, "Dead letters").

    python -m schediora_runtime.dlq --queue planner.events list
    python -m schediora_runtime.dlq --queue planner.events show <message-id>
    python -m schediora_runtime.dlq --queue planner.events replay <message-id>... | --all
    python -m schediora_runtime.dlq --queue planner.events drop <message-id>... | --all

The broker is `RABBITMQ_URL` (the service's own setting) unless `--url` is given. Looking never
consumes: messages are fetched unacknowledged and go back when the channel closes. A replay
publishes the message unchanged (same message id, body and properties, without the broker's
`x-death` history) straight to the service's own queue, waits for the broker's confirm, and only
then removes it from the dead-letter queue; other services subscribed to the same event never
see it again. A replayed event that was in fact applied is a duplicate the inbox drops.
"""

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractIncomingMessage

DEFAULT_URL = "amqp://guest:guest@127.0.0.1:5672/"
BROKER_HISTORY_HEADERS = ("x-death", "x-first-death-exchange", "x-first-death-queue",
                          "x-first-death-reason", "x-delivery-count")  # fmt: skip
REPLAYED_HEADER = "x-schediora-replayed"


@dataclass(frozen=True)
class DeadLetter:
    """One dead-lettered message as an operator needs to see it."""

    message_id: str | None
    event_type: str | None
    routing_key: str | None
    reason: str | None
    """Why the broker dead-lettered it: `rejected` (the consumer gave up on it) or
    `delivery_limit` (it was redelivered more often than the queue allows)."""
    deaths: int
    first_death_at: str | None
    replays: int
    body: str

    @classmethod
    def of(cls, message: AbstractIncomingMessage) -> "DeadLetter":
        headers = message.headers or {}
        history = [entry for entry in headers.get("x-death") or [] if isinstance(entry, dict)]
        first = history[-1] if history else {}
        died_at = first.get("time")
        routing_keys = first.get("routing-keys") or []
        return cls(
            message_id=message.message_id,
            event_type=message.type,
            routing_key=str(routing_keys[0]) if routing_keys else message.routing_key,
            reason=_text(headers.get("x-first-death-reason") or first.get("reason")),
            deaths=sum(int(entry.get("count", 1)) for entry in history),
            first_death_at=died_at.isoformat() if isinstance(died_at, datetime) else None,
            replays=int(headers.get(REPLAYED_HEADER, 0) or 0),
            body=message.body.decode("utf-8", errors="replace"),
        )


class UnknownMessages(LookupError):
    """Some message ids asked for are not in the dead-letter queue."""


def dead_letter_queue(queue: str) -> str:
    return f"{queue}.dlq"


async def browse(connection: AbstractConnection, queue: str, limit: int = 1000) -> list[DeadLetter]:
    """Up to `limit` dead letters of `queue`, oldest first, leaving every one in place."""
    channel = await connection.channel()
    try:
        dlq = await channel.declare_queue(dead_letter_queue(queue), passive=True)
        found = []
        while len(found) < limit and (message := await dlq.get(fail=False)) is not None:
            found.append(DeadLetter.of(message))
        return found
    finally:
        await channel.close()  # every fetched message goes back to the queue


class TooManyDeadLetters(Exception):
    """The dead-letter queue holds more messages than could be read in one go."""


async def oldest_event_time(
    connection: AbstractConnection, queue: str, limit: int = 10_000
) -> datetime | None:
    """When the oldest event still waiting in `queue`'s DLQ was written (its envelope's
    `occurred_at`), or None when the DLQ holds no event; nothing is consumed. A body that is no
    envelope is left out: it can never be applied, so nothing need be remembered for it. Raises
    `TooManyDeadLetters` past `limit` messages, so a caller never acts on a partial answer."""
    channel = await connection.channel()
    try:
        dlq = await channel.declare_queue(dead_letter_queue(queue), passive=True)
        oldest: datetime | None = None
        for _ in range(limit):
            message = await dlq.get(fail=False)
            if message is None:
                return oldest
            written = _occurred_at(message.body)
            if written is not None and (oldest is None or written < oldest):
                oldest = written
        if await dlq.get(fail=False) is not None:
            raise TooManyDeadLetters(f"{dead_letter_queue(queue)} holds over {limit} messages")
        return oldest
    finally:
        await channel.close()  # every fetched message goes back to the queue


def _occurred_at(body: bytes) -> datetime | None:
    try:
        written = datetime.fromisoformat(json.loads(body)["occurred_at"])
    except (ValueError, TypeError, KeyError):
        return None
    return written if written.tzinfo is not None else None


async def replay(
    connection: AbstractConnection, queue: str, message_ids: Iterable[str] | None
) -> list[str]:
    """Publish the chosen dead letters (all when `message_ids` is None) to `queue` again; the
    ids replayed. `UnknownMessages` (and nothing replayed) when an id is not there."""

    async def send_back(channel: AbstractChannel, message: AbstractIncomingMessage) -> None:
        headers = {
            key: value
            for key, value in (message.headers or {}).items()
            if key not in BROKER_HISTORY_HEADERS
        }
        headers[REPLAYED_HEADER] = int(headers.get(REPLAYED_HEADER, 0) or 0) + 1
        republished = aio_pika.Message(
            message.body,
            headers=headers,
            content_type=message.content_type,
            content_encoding=message.content_encoding,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            correlation_id=message.correlation_id,
            message_id=message.message_id,
            timestamp=message.timestamp,
            type=message.type,
            app_id=message.app_id,
        )
        # The default exchange routes by queue name: only this service's queue gets it.
        await channel.default_exchange.publish(republished, routing_key=queue, mandatory=True)

    return await _settle(connection, queue, message_ids, send_back)


async def drop(
    connection: AbstractConnection, queue: str, message_ids: Iterable[str] | None
) -> list[str]:
    """Remove the chosen dead letters (all when `message_ids` is None) for good; the ids dropped."""

    async def nothing(channel: AbstractChannel, message: AbstractIncomingMessage) -> None:
        return None

    return await _settle(connection, queue, message_ids, nothing)


async def _settle(
    connection: AbstractConnection,
    queue: str,
    message_ids: Iterable[str] | None,
    before_ack: Callable[[AbstractChannel, AbstractIncomingMessage], Any],
) -> list[str]:
    wanted = None if message_ids is None else set(message_ids)
    channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
    try:
        dlq = await channel.declare_queue(dead_letter_queue(queue), passive=True)
        chosen: list[AbstractIncomingMessage] = []
        while (message := await dlq.get(fail=False)) is not None:
            if wanted is None or message.message_id in wanted:
                chosen.append(message)
        missing = (wanted or set()) - {message.message_id for message in chosen}
        if missing:
            raise UnknownMessages(sorted(missing))
        done = []
        for message in chosen:
            await before_ack(channel, message)  # confirmed before the dead letter goes
            await message.ack()
            done.append(message.message_id or "")
        return done
    finally:
        await channel.close()  # what was fetched and not chosen goes back


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        return value.decode()
    return None if value is None else str(value)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m schediora_runtime.dlq",
        description="List, show, replay or drop the dead letters of a service's queue.",
    )
    parser.add_argument("--queue", required=True, help="the service's queue, e.g. planner.events")
    parser.add_argument("--url", default=os.environ.get("RABBITMQ_URL", DEFAULT_URL))
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="one JSON line per dead letter, oldest first")
    listing.add_argument("--limit", type=int, default=1000)
    listing.add_argument("--with-body", action="store_true")
    show = commands.add_parser("show", help="one dead letter in full, body included")
    show.add_argument("message_id")
    for name, text in (("replay", "publish again to the queue"), ("drop", "remove for good")):
        command = commands.add_parser(name, help=text)
        which = command.add_mutually_exclusive_group(required=True)
        which.add_argument("message_ids", nargs="*", default=[])
        which.add_argument("--all", action="store_true")
    return parser


async def _main(args: argparse.Namespace) -> int:
    connection = await aio_pika.connect(args.url)
    try:
        if args.command in ("list", "show"):
            letters = await browse(connection, args.queue, getattr(args, "limit", 100_000))
            if args.command == "show":
                letters = [letter for letter in letters if letter.message_id == args.message_id]
                if not letters:
                    print(f"no dead letter {args.message_id} in {args.queue}", file=sys.stderr)
                    return 2
            for letter in letters:
                shown = asdict(letter)
                if args.command == "list" and not args.with_body:
                    shown.pop("body")
                print(json.dumps(shown, ensure_ascii=False))
            return 0
        action = replay if args.command == "replay" else drop
        ids = None if args.all else args.message_ids
        try:
            done = await action(connection, args.queue, ids)
        except UnknownMessages as exc:
            print(f"not in {dead_letter_queue(args.queue)}: {', '.join(exc.args[0])}; "
                  "nothing changed", file=sys.stderr)  # fmt: skip
            return 2
        verb = "replayed" if args.command == "replay" else "dropped"
        print(json.dumps({verb: done, "count": len(done)}))
        return 0
    finally:
        await connection.close()


def main(argv: list[str] | None = None) -> int:
    return asyncio.run(_main(_parser().parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
