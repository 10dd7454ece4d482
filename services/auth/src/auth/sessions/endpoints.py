"""`/api/v1/auth`: register, log in, refresh, log out, and the public keys (docs/api.md: Auth)."""

from fastapi import APIRouter, Request, Response, status

from auth.deps import AuthDep, ClientAddress, ReadsDep, SessionDep, unit_of_work
from auth.sessions import service
from auth.sessions.schemas import Jwks, LoginRequest, RefreshRequest, Registered, TokenPair
from auth.signing import workers as signing_workers
from auth.users.schemas import RegisterRequest
from schediora_runtime.lean_routes import LeanRoute
from schediora_runtime.problems import documented_problems

router = APIRouter(prefix="/api/v1/auth", tags=["auth"], route_class=LeanRoute)

_NO_STORE = {"Cache-Control": "no-store"}  # RFC 6749 §5.1: token responses are not cached


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    responses=documented_problems(409, 422, 429, 503),
)
async def register(
    body: RegisterRequest,
    session: SessionDep,
    auth: AuthDep,
    client_address: ClientAddress,
    response: Response,
) -> Registered:
    """Create an account and sign it in."""
    response.headers.update(_NO_STORE)
    return await service.register(
        session,
        auth,
        email=body.email,
        password=body.password.get_secret_value(),
        display_name=body.display_name,
        client_address=client_address,
    )


@router.post("/login", responses=documented_problems(401, 422, 429, 503))
async def login(
    body: LoginRequest,
    session: SessionDep,
    auth: AuthDep,
    client_address: ClientAddress,
    response: Response,
) -> TokenPair:
    """Exchange an email and password for a token pair."""
    response.headers.update(_NO_STORE)
    return await service.login(
        session,
        auth,
        email=body.email,
        password=body.password.get_secret_value(),
        client_address=client_address,
    )


@router.post("/refresh", responses=documented_problems(401, 422, 429))
async def refresh(
    body: RefreshRequest,
    reads: ReadsDep,
    auth: AuthDep,
    client_address: ClientAddress,
    request: Request,
    response: Response,
) -> TokenPair:
    """Spend a refresh token for a new pair; a spent token revokes its whole family."""
    response.headers.update(_NO_STORE)
    token = body.refresh_token.get_secret_value()
    # A live token rotates in one statement; anything else (a spent token's reuse, a refusal
    # to count, a lock) is decided in a transaction.
    pair = await service.rotate_live(reads, auth, token, client_address=client_address)
    if pair is not None:
        return pair
    async with unit_of_work(request) as session:
        return await service.refresh(session, auth, token, client_address=client_address)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=documented_problems(422))
async def logout(body: RefreshRequest, session: SessionDep, auth: AuthDep) -> None:
    """Revoke the refresh token's family. Idempotent."""
    await service.logout(session, auth, body.refresh_token.get_secret_value())


@router.get("/jwks.json")
async def jwks(auth: AuthDep, request: Request, response: Response) -> Jwks:
    """The public keys access tokens are signed with (JWKS, RFC 7517)."""
    # Read from the table, not only the process's ring: a verifier refetching because auth
    # announced a rotation must see that rotation, whichever replica answers. With the database
    # away, the ring as last loaded (never an error: verifiers would drop every key).
    await signing_workers.reload_quietly(request.app.state.runtime, auth)
    response.headers["Cache-Control"] = "public, max-age=300"
    return Jwks.model_validate(auth.keys.jwks())
