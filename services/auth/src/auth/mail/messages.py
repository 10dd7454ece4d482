"""The text of each account mail; every link is `<APP_BASE_URL>/<page>?token=<token>`."""

from email.message import EmailMessage
from urllib.parse import urlencode

PAGES = {"verify_email": "verify-email", "reset_password": "reset-password"}


def link(base_url: str, kind: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/{PAGES[kind]}?{urlencode({'token': token})}"


def compose(kind: str, *, to: str, url: str, valid_minutes: int) -> EmailMessage:
    message = EmailMessage()
    message["To"] = to
    if kind == "verify_email":
        message["Subject"] = "Confirm your email for Schediora"
        body = (
            "Welcome to Schediora!\n\n"
            f"Please confirm your email address by opening this link:\n\n{url}\n\n"
            f"The link works once, for {valid_minutes} minutes.\n"
        )
    else:
        message["Subject"] = "Reset your Schediora password"
        body = (
            "Someone (hopefully you) asked to reset the password of your Schediora account.\n\n"
            f"Choose a new password here:\n\n{url}\n\n"
            f"The link works once, for {valid_minutes} minutes. Choosing a new password signs "
            "you out on every device.\nIf you did not ask for this, ignore this mail.\n"
        )
    message.set_content(body)
    return message
