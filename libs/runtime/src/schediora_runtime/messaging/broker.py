"""One robust RabbitMQ connection per service, and a publisher that never loses silently."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import aio_pika
from aio_pika.abc import AbstractExchange, AbstractRobustChannel, AbstractRobustConnection

from schediora_runtime.messaging.topology import Topology, declare_exchange

logger = logging.getLogger(__name__)


class PublishFailed(Exception):
    """The broker did not confirm the message (nack, unroutable, timeout or no connection)."""


class Broker:
    """Owns the connection; reconnects by itself. Start-up never blocks on an absent broker."""

    def __init__(self, url: str, topology: Topology, *, name: str, publish_timeout: float = 10.0):
        self.url = url
        self.topology = topology
        self.name = name
        self.publish_timeout = publish_timeout
        self.connection: AbstractRobustConnection | None = None
        self._publish_channel: AbstractRobustChannel | None = None
        self._exchange: AbstractExchange | None = None
        self._connected = asyncio.Event()
        self._connect_task: asyncio.Task[None] | None = None

    @property
    def is_connected(self) -> bool:
        """True while the connection is up and the publish channel open (not while reconnecting).

        A robust connection counts as "closed" only after `close()`: during an outage it is
        reconnecting and `is_closed` stays False, so it cannot tell health checks or the relay.
        """
        return (
            self.connection is not None
            and not self.connection.is_closed
            and self.connection.connected.is_set()
            and self._publish_channel is not None
            and not self._publish_channel.is_closed
        )

    async def start(self) -> None:
        self._connect_task = asyncio.create_task(self._connect_forever(), name="broker-connect")

    async def wait_connected(self, timeout: float | None = None) -> None:  # noqa: ASYNC109
        await asyncio.wait_for(self._connected.wait(), timeout)

    async def open_channel_when_connected(
        self, what: str, set_up: Callable[[AbstractRobustChannel], Awaitable[None]]
    ) -> None:
        """Open a channel and `set_up` a subscriber on it (declare, bind, consume) once the
        broker is reachable. If that fails (the broker went away after its first connection,
        e.g. a restart), close the channel and try again, backing off to 5 s: the robust
        connection comes back by itself, so a subscriber never gives up."""
        delay = 0.5
        while True:
            await self.wait_connected()
            channel: AbstractRobustChannel | None = None
            try:
                assert self.connection is not None
                channel = await self.connection.channel()
                await set_up(channel)
                return
            except (OSError, RuntimeError, aio_pika.exceptions.AMQPError) as exc:
                logger.warning("cannot %s yet, retrying in %.1fs: %r", what, delay, exc)
                if channel is not None:
                    with contextlib.suppress(Exception):
                        await channel.close()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _connect_forever(self) -> None:
        delay = 0.5
        while True:
            try:
                await self._connect()
                break
            except (OSError, RuntimeError, aio_pika.exceptions.AMQPError) as exc:
                # The broker may go away between connecting and declaring: start over rather
                # than leave a half-made connection and a broker that never reports ready.
                if self.connection is not None:
                    with contextlib.suppress(Exception):
                        await self.connection.close()
                    self.connection = None
                logger.warning("broker unreachable, retrying in %.1fs: %s", delay, exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
        self._connected.set()
        logger.info("broker connected")

    async def _connect(self) -> None:
        self.connection = await aio_pika.connect_robust(
            self.url,
            client_properties={"connection_name": self.name},
            reconnect_interval=2,
        )
        # Confirms plus on_return_raises: an unroutable message raises instead of vanishing
        # (aio-pika's default is on_return_raises=False).
        self._publish_channel = await self.connection.channel(
            publisher_confirms=True, on_return_raises=True
        )
        self._exchange = await declare_exchange(self._publish_channel, self.topology)

    async def publish(
        self,
        body: bytes,
        *,
        routing_key: str,
        message_id: str,
        message_type: str,
        headers: Mapping[str, Any],
        correlation_id: str | None = None,
    ) -> None:
        """Publish one persistent, mandatory message and wait for the broker's confirm."""
        if self._exchange is None or not self.is_connected:
            raise PublishFailed("no broker connection")
        message = aio_pika.Message(
            body,
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=message_id,
            type=message_type,
            app_id=self.name,
            correlation_id=correlation_id,
            headers=dict(headers),
        )
        try:
            assert self._publish_channel is not None
            channel = await self._publish_channel.get_underlay_channel()
            # wait=False: the frames are queued for the connection's writer and only the
            # broker's confirm is awaited. Waiting for the socket write as well (aio-pika's
            # Exchange.publish) holds the channel's lock for an event-loop turn per message,
            # which on a busy service made the relay publish a few messages a second.
            await channel.basic_publish(
                message.body,
                exchange=self._exchange.name,
                routing_key=routing_key,
                properties=message.properties,
                mandatory=True,
                timeout=self.publish_timeout,
                wait=False,
            )
        except (aio_pika.exceptions.DeliveryError, aio_pika.exceptions.PublishError) as exc:
            raise PublishFailed(f"broker refused {message_type}: {exc}") from exc
        except (TimeoutError, aio_pika.exceptions.AMQPError, OSError, RuntimeError) as exc:
            raise PublishFailed(f"publish of {message_type} failed: {exc!r}") from exc

    async def stop(self) -> None:
        if self._connect_task is not None:
            self._connect_task.cancel()
            await asyncio.gather(self._connect_task, return_exceptions=True)
        if self.connection is not None:
            await self.connection.close()
