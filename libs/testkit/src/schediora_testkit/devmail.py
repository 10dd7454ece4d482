"""A development and test mail catcher: a real SMTP server (aiosmtpd) that keeps what it gets.

Development and test tooling only (aiosmtpd is a development dependency): `make run` starts it
with `python -m schediora_testkit.devmail` when `SMTP_HOST` is not set, and prints each mail;
tests start one in process and read the mails (with their links) from `messages`.
"""

import asyncio
import email
import email.policy
import os
import re
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

LINK = re.compile(r"https?://\S+\?token=([A-Za-z0-9_-]+)")


@dataclass(frozen=True)
class Mail:
    to: tuple[str, ...]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    @property
    def token(self) -> str:
        """The token of the link in the text part."""
        found = LINK.search(self.text)
        if found is None:
            raise LookupError(f"no link with a token in {self.subject!r}")
        return found.group(1)


class _Handler:
    def __init__(self, catcher: "MailCatcher") -> None:
        self.catcher = catcher

    async def handle_DATA(self, _server: SMTP, _session: Session, envelope: Envelope) -> str:
        data = envelope.original_content or envelope.content
        raw = data if isinstance(data, bytes) else str(data).encode()
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        mail = Mail(tuple(envelope.rcpt_tos), message)
        self.catcher.messages.append(mail)
        if self.catcher.echo:
            print(f"--- mail to {', '.join(mail.to)}: {mail.subject}\n{mail.text}", flush=True)
        return "250 OK"


class MailCatcher:
    """An SMTP server on `host:port` (port 0: a free one) in a thread of its own."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, echo: bool = False) -> None:
        self.messages: list[Mail] = []
        self.echo = echo
        self.host = host
        self.port = port or _free_port(host)
        self._controller = Controller(_Handler(self), hostname=host, port=self.port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def to(self, address: str) -> list[Mail]:
        return [m for m in self.messages if address.lower() in (t.lower() for t in m.to)]

    async def wait_for(self, address: str, count: int = 1, timeout: float = 30) -> list[Mail]:  # noqa: ASYNC109
        """The first `count` mails to `address`, once that many have arrived."""
        deadline = time.monotonic() + timeout
        while len(found := self.to(address)) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(found)} of {count} mails to {address} arrived")
            await asyncio.sleep(0.05)
        return found[:count]


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def main() -> int:
    # honcho stops every process when one ends, so this one waits either way.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    catcher = None
    if os.environ.get("SMTP_HOST"):
        print(f"SMTP_HOST={os.environ['SMTP_HOST']} is set: auth sends mail there.", flush=True)
    else:
        port = int(os.environ.get("SMTP_PORT", "1025"))
        catcher = MailCatcher(port=port, echo=True)
        catcher.start()
        print(f"development mail catcher on 127.0.0.1:{port}: mails are printed here", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        if catcher is not None:
            catcher.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
