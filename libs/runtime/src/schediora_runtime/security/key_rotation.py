"""Every process that verifies tokens against auth's JWKS hears auth's `SigningKeysRotated`.

The event is a cache invalidation, not a state change: each process (every worker of every
replica) needs it, so it is not taken from the service's shared queue (where one consumer would
get it) but from a queue of the process's own: server-named, exclusive and deleted with the
connection, bound to `auth.signing_keys_rotated.v1`. Nothing is written, so there is nothing to
deduplicate; a process that was disconnected when the event went out catches up by the
scheduled refresh (`JWKS_REFRESH_SECONDS`).
"""

import asyncio
import logging

from aio_pika.abc import AbstractIncomingMessage, AbstractRobustChannel

from schediora_contracts import SigningKeysRotated
from schediora_runtime.messaging.broker import Broker
from schediora_runtime.messaging.codec import UndecodableMessage, decode
from schediora_runtime.messaging.topology import declare_exchange
from schediora_runtime.security.remote_jwks import RemoteJwks

logger = logging.getLogger(__name__)

ANNOUNCEMENTS = (SigningKeysRotated,)
"""The events every verifying process hears on its own queue (docs/asyncapi.yaml)."""


class KeyRotationListener:
    """Applies auth's key announcements to this process's JWKS cache."""

    def __init__(self, broker: Broker, keys: RemoteJwks) -> None:
        self.broker = broker
        self.keys = keys
        self._channel: AbstractRobustChannel | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Listens once the broker is reachable; does not block start-up."""
        self._task = asyncio.create_task(
            self.broker.open_channel_when_connected("listen for key rotations", self._listen),
            name="key-rotations",
        )

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._channel is not None and not self._channel.is_closed:
            await self._channel.close()

    async def _listen(self, channel: AbstractRobustChannel) -> None:
        self._channel = channel
        exchange = await declare_exchange(self._channel, self.broker.topology)
        queue = await self._channel.declare_queue(exclusive=True, auto_delete=True)
        await queue.bind(exchange, routing_key=SigningKeysRotated.routing_key())
        # (ANNOUNCEMENTS lists it for the AsyncAPI document.)
        await queue.consume(self.on_message, no_ack=True)
        logger.info("listening for %s on %s", SigningKeysRotated.routing_key(), queue.name)

    async def on_message(self, message: AbstractIncomingMessage) -> None:
        try:
            _envelope, event = decode(message.body)
        except UndecodableMessage as exc:
            logger.warning("ignored an undecodable key announcement: %s", exc)
            return
        if not isinstance(event, SigningKeysRotated):
            return
        logger.info(
            "auth rotated its keys: signing %s, published %s, withdrawn %s",
            event.signing_kid,
            sorted(event.kids),
            sorted(event.withdrawn_kids),
        )
        await self.keys.announce(event.kids)
