"""The account lifecycle over HTTP (docs/api.md: Accounts): password, logout-all, verification,
deletion. Paths under `/api/v1/auth` and `/api/v1/users`, as the table lists them."""

from fastapi import APIRouter, Response, status

from auth.accounts import service
from auth.accounts.schemas import (
    Accepted,
    ChangePasswordRequest,
    DeleteAccountRequest,
    ForgotPasswordRequest,
    ResetPasswordRequest,
    VerifyEmailRequest,
)
from auth.deps import AuthDep, ClientAddress, CurrentUser, SessionDep
from auth.errors import TooManyRequests
from auth.sessions.schemas import TokenPair
from auth.users.service import UserGone
from schediora_runtime.lean_routes import LeanRoute
from schediora_runtime.problems import documented_problems
from schediora_runtime.security import InvalidTokenProblem

auth_router = APIRouter(prefix="/api/v1/auth", tags=["accounts"], route_class=LeanRoute)
users_router = APIRouter(prefix="/api/v1/users", tags=["accounts"], route_class=LeanRoute)

_NO_STORE = {"Cache-Control": "no-store"}


@users_router.post("/me/password", responses=documented_problems(400, 401, 422, 429))
async def change_password(
    body: ChangePasswordRequest,
    user_id: CurrentUser,
    session: SessionDep,
    auth: AuthDep,
    response: Response,
) -> TokenPair:
    """Change the password; every other session ends, this device gets a new token pair."""
    response.headers.update(_NO_STORE)
    try:
        return await service.change_password(
            session,
            auth,
            user_id,
            current_password=body.current_password.get_secret_value(),
            new_password=body.new_password.get_secret_value(),
        )
    except UserGone:
        raise InvalidTokenProblem(presented=True) from None


@users_router.delete(
    "/me", status_code=status.HTTP_204_NO_CONTENT, responses=documented_problems(400, 401, 422, 429)
)
async def delete_account(
    body: DeleteAccountRequest, user_id: CurrentUser, session: SessionDep, auth: AuthDep
) -> None:
    """Delete the account and, through its event, everything every service keeps of it."""
    try:
        await service.delete_account(
            session, auth, user_id, password=body.password.get_secret_value()
        )
    except UserGone:
        raise InvalidTokenProblem(presented=True) from None


@auth_router.post(
    "/logout-all", status_code=status.HTTP_204_NO_CONTENT, responses=documented_problems(401)
)
async def logout_all(user_id: CurrentUser, session: SessionDep, auth: AuthDep) -> None:
    """End every session of the signed-in user, this one included."""
    await service.logout_all(session, auth, user_id)


@auth_router.post(
    "/password/forgot",
    status_code=status.HTTP_202_ACCEPTED,
    responses=documented_problems(422, 429),
)
async def forgot_password(
    body: ForgotPasswordRequest, session: SessionDep, auth: AuthDep, client_address: ClientAddress
) -> Accepted:
    """Mail a reset link if the address has an account; the answer is the same if not."""
    await service.forgot_password(session, auth, email=body.email, client_address=client_address)
    return Accepted()


@auth_router.post(
    "/password/reset",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=documented_problems(400, 422),
)
async def reset_password(body: ResetPasswordRequest, session: SessionDep, auth: AuthDep) -> None:
    """Set a new password with a mailed token; every session of the user ends."""
    await service.reset_password(
        session, auth, token=body.token, new_password=body.new_password.get_secret_value()
    )


@auth_router.post(
    "/verify-email/request",
    status_code=status.HTTP_202_ACCEPTED,
    responses=documented_problems(401, 429),
)
async def request_verification(
    user_id: CurrentUser, session: SessionDep, auth: AuthDep, client_address: ClientAddress
) -> Accepted:
    """Send the verification mail again (no mail once the email is verified). Throttled per
    user and per client address."""
    try:
        await service.request_verification(session, auth, user_id, client_address=client_address)
    except UserGone:
        raise InvalidTokenProblem(presented=True) from None
    except service.ResendThrottled as exc:
        raise TooManyRequests(exc.retry_after_seconds) from None
    return Accepted()


@auth_router.post(
    "/verify-email", status_code=status.HTTP_204_NO_CONTENT, responses=documented_problems(400, 422)
)
async def verify_email(body: VerifyEmailRequest, session: SessionDep, auth: AuthDep) -> None:
    """Mark the email verified with the mailed token."""
    await service.verify_email(session, auth, token=body.token)
