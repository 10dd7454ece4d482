"""API models of the calendar: the feed and busy times."""

from pydantic import BaseModel, Field

from schediora_runtime.timestamps import UtcTimestamp


class Feed(BaseModel):
    url: str | None = Field(
        description="The secret subscription address, "
        "`<base>/api/v1/calendar/feed/<token>.ics`. Only the answer that creates or rotates "
        "the feed carries it (the planner keeps only a hash of the token); null on GET."
    )
    created_at: UtcTimestamp = Field(description="When this URL was made.")


class BusySummary(BaseModel):
    events: int = Field(description="Events in the uploaded calendar.")
    occurrences_this_week: int = Field(
        description="Busy occurrences that overlap the current week (the user's calendar)."
    )
    updated_at: UtcTimestamp


class BusyItem(BaseModel):
    starts_at: UtcTimestamp
    ends_at: UtcTimestamp
    summary: str


class BusyList(BaseModel):
    items: list[BusyItem]
