"""`/api/v1/subjects`: the user's subjects (docs/api.md: Subjects)."""

from uuid import UUID

from fastapi import APIRouter, Response

from planner.deps import CurrentUser, SessionDep
from planner.subjects import service
from planner.subjects.schemas import SubjectCreate, SubjectPage, SubjectRead, SubjectUpdate
from schediora_runtime.lean_routes import LeanRoute
from schediora_runtime.links import documented_links, link
from schediora_runtime.pagination import DEFAULT_LIMIT, Cursor, Limit
from schediora_runtime.problems import documented_problems

router = APIRouter(prefix="/api/v1/subjects", tags=["subjects"], route_class=LeanRoute)


@router.get("", responses=documented_problems(401, 422))
async def list_subjects(
    user_id: CurrentUser,
    session: SessionDep,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> SubjectPage:
    """The user's subjects, oldest first, a page at a time."""
    subjects, next_cursor = await service.list(session, user_id, limit=limit, cursor=cursor)
    return SubjectPage(
        items=[SubjectRead.model_validate(s) for s in subjects], next_cursor=next_cursor
    )


_SUBJECT = "/api/v1/subjects/{subject_id}"
_SUBJECT_ID = "$response.body#/id"


@router.post(
    "",
    status_code=201,
    responses=documented_problems(401, 409, 422)
    | documented_links(
        201,
        update_subject=link("PATCH", _SUBJECT, subject_id=_SUBJECT_ID),
        delete_subject=link("DELETE", _SUBJECT, subject_id=_SUBJECT_ID),
    ),
)
async def create_subject(
    user_id: CurrentUser, session: SessionDep, body: SubjectCreate
) -> SubjectRead:
    """Add a subject; names are unique per user regardless of case (at most 100 subjects)."""
    return SubjectRead.model_validate(await service.create(session, user_id, body))


@router.patch("/{subject_id}", responses=documented_problems(401, 404, 409, 422))
async def update_subject(
    user_id: CurrentUser, session: SessionDep, subject_id: UUID, body: SubjectUpdate
) -> SubjectRead:
    """Change the fields sent; `null` clears an optional one."""
    return SubjectRead.model_validate(await service.update(session, user_id, subject_id, body))


@router.delete("/{subject_id}", status_code=204, responses=documented_problems(401, 404, 422))
async def delete_subject(user_id: CurrentUser, session: SessionDep, subject_id: UUID) -> Response:
    """Remove a subject."""
    await service.delete(session, user_id, subject_id)
    return Response(status_code=204)
