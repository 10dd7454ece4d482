"""Sending one mail over SMTP with aiosmtplib, as the settings say (host, port, login, TLS)."""

from email.message import EmailMessage

import aiosmtplib

from auth.settings import Settings

SEND_ERRORS = (aiosmtplib.SMTPException, OSError, TimeoutError)
"""What a failed delivery raises: the mail stays queued and is tried again later."""


class Mailer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def send(self, message: EmailMessage) -> None:
        s = self.settings
        client = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_user,
            password=s.smtp_password.get_secret_value() if s.smtp_password else None,
            use_tls=s.smtp_tls == "tls",
            start_tls=s.smtp_tls == "starttls",
            timeout=s.smtp_timeout_seconds,
        )
        try:
            await client.connect()  # logs in too when a user is configured
            await client.send_message(message)
        except BaseException:
            # Not `async with`: on an error (or a cancellation at shutdown) that would still
            # send QUIT and wait for an answer the server, mid-DATA, never gives.
            client.close()
            raise
        try:
            await client.quit()
        except SEND_ERRORS:
            client.close()  # the mail was accepted; a lost goodbye changes nothing
