"""`/api/v1/ai/generations`: what made a plan and how good it is (docs/api.md: Feedback and
generations)."""

from uuid import UUID

from fastapi import APIRouter

from ai.deps import CurrentUser, SessionDep
from ai.generations import service
from ai.generations.schemas import GenerationRead
from schediora_runtime.lean_routes import LeanRoute
from schediora_runtime.problems import documented_problems

router = APIRouter(prefix="/api/v1/ai/generations", tags=["generations"], route_class=LeanRoute)


@router.get("/{generation_id}", responses=documented_problems(401, 404, 422))
async def get_generation(
    user_id: CurrentUser, session: SessionDep, generation_id: UUID
) -> GenerationRead:
    """One of your generations: provider, model, status, quality and your feedback."""
    return await service.get(session, user_id, generation_id)
