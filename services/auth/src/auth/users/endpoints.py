"""`/api/v1/users`: the signed-in user's profile and preferences (docs/api.md: Users)."""

from fastapi import APIRouter

from auth.deps import AuthDep, CurrentUser, ReadsDep, SessionDep
from auth.users import service
from auth.users.schemas import Preferences, UserRead
from schediora_runtime.lean_routes import LeanRoute
from schediora_runtime.problems import documented_problems
from schediora_runtime.security import InvalidTokenProblem

router = APIRouter(prefix="/api/v1/users", tags=["users"], route_class=LeanRoute)


@router.get("/me", responses=documented_problems(401))
async def me(user_id: CurrentUser, reads: ReadsDep) -> UserRead:
    """The signed-in user's profile and preferences (null until set)."""
    try:
        return await service.get_profile(reads, user_id)
    except service.UserGone:
        raise InvalidTokenProblem(presented=True) from None


@router.put("/preferences", responses=documented_problems(401, 422))
async def replace_preferences(
    body: Preferences, user_id: CurrentUser, session: SessionDep, auth: AuthDep
) -> Preferences:
    """Replace the signed-in user's preferences as a whole."""
    try:
        return await service.replace_preferences(session, user_id, body, auth.clock())
    except service.UserGone:
        raise InvalidTokenProblem(presented=True) from None
