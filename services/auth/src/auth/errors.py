"""The auth service's problems (docs/api.md: Error codes) and how they reach the client."""

from schediora_runtime.problems import ProblemError
from schediora_runtime.problems import TooManyRequests as RateLimited


class RecordedFailure(ProblemError):
    """A refusal whose bookkeeping commits with it: failure counters, a revoked token family.

    The auth session dependency commits instead of rolling back when one of these is raised."""


class EmailTaken(RecordedFailure):
    status = 409
    code = "email_taken"
    title = "Email already registered"


class InvalidCredentials(RecordedFailure):
    status = 401
    code = "invalid_credentials"
    title = "Invalid credentials"

    def __init__(self) -> None:
        # One fixed body whatever failed: unknown email and wrong password look the same.
        super().__init__("The email or password is incorrect.")


class InvalidRefreshToken(RecordedFailure):
    status = 401
    code = "invalid_refresh_token"
    title = "Invalid refresh token"

    def __init__(self) -> None:
        super().__init__("The refresh token is invalid, expired or revoked.")


class TooManyAttempts(ProblemError):
    status = 429
    code = "too_many_attempts"
    title = "Too many attempts"

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__("Too many failed attempts; try again later.")
        self.retry_after_seconds = max(1, retry_after_seconds)

    def headers(self) -> dict[str, str]:
        # Retry-After belongs to 429 (RFC 6585 §4).
        return {"Retry-After": str(self.retry_after_seconds)}


class TooManyRequests(RateLimited):
    """Too many requests that each send something (a verification mail), failed or not."""


class ServerBusy(ProblemError):
    status = 503
    code = "server_busy"
    title = "Server busy"
    retry_after_seconds = 5

    def __init__(self) -> None:
        super().__init__("Too many sign-ins at once; try again in a few seconds.")

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_seconds)}


class WrongPassword(RecordedFailure):
    status = 400
    code = "wrong_password"
    title = "Wrong password"

    def __init__(self) -> None:
        super().__init__("The current password is incorrect.")


class InvalidMailedToken(ProblemError):
    status = 400
    code = "invalid_token"
    title = "Invalid token"

    def __init__(self) -> None:
        # One answer for unknown, spent and expired: the reason is not the client's business.
        super().__init__("The link is invalid, already used or expired.")
