"""Every row the ai service keeps of one user, deleted; never commits."""

from uuid import UUID

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from ai.feedback.models import Feedback
from ai.generations.models import Generation
from ai.usage.models import TokenUsage


async def delete_everything_of(session: AsyncSession, user_id: UUID) -> None:
    await session.execute(delete(Feedback).where(Feedback.user_id == user_id))
    await session.execute(delete(Generation).where(Generation.user_id == user_id))
    await session.execute(delete(TokenUsage).where(TokenUsage.user_id == user_id))
