"""The auth service's problems (API.md codes) and how they reach the client."""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from schediora_runtime.problems import ProblemError, problem_response


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


class ServerBusy(ProblemError):
    status = 503
    code = "server_busy"
    title = "Server busy"
    retry_after_seconds = 5

    def __init__(self) -> None:
        super().__init__("Too many sign-ins at once; try again in a few seconds.")


async def _with_retry_after(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, TooManyAttempts | ServerBusy)
    return problem_response(exc.to_problem(), headers={"Retry-After": str(exc.retry_after_seconds)})


def install_error_handlers(app: FastAPI) -> None:
    # The shared handler writes no headers; Retry-After belongs to 429 (RFC 6585 §4) and 503.
    app.add_exception_handler(TooManyAttempts, _with_retry_after)
    app.add_exception_handler(ServerBusy, _with_retry_after)
