"""API models of accounts and preferences (docs/api.md: Auth, Users)."""

import itertools
import zoneinfo
from datetime import UTC, datetime
from functools import cache
from typing import Annotated, Literal, Self
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    EmailStr,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)

from auth.passwords import policy
from schediora_runtime.problems import StrictModel

UtcDateTime = Annotated[datetime, AfterValidator(lambda value: value.astimezone(UTC))]
Start = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["18:00"])]
End = Annotated[str, Field(pattern=r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$", examples=["21:00"])]


class RegisterRequest(StrictModel):
    email: EmailStr
    password: SecretStr = Field(description="8 to 128 characters, not a common password.")
    display_name: str | None = Field(default=None, min_length=1, max_length=80)

    @field_validator("password")
    @classmethod
    def _acceptable(cls, password: SecretStr) -> SecretStr:
        if problems := policy.problems(password.get_secret_value()):
            raise ValueError(" ".join(problems))
        return password


class AvailabilityWindow(StrictModel):
    weekday: int = Field(ge=0, le=6, description="0 = Monday .. 6 = Sunday")
    start: Start
    end: End = Field(description="After start; 24:00 ends the window at midnight.")

    @model_validator(mode="after")
    def _starts_before_it_ends(self) -> Self:
        # Zero-padded HH:MM strings order like the times they name.
        if self.start >= self.end:
            raise ValueError("start must be before end")
        return self


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


class Preferences(StrictModel):
    timezone: str = Field(max_length=64, examples=["Europe/Berlin"], description="IANA name")
    week_starts_on: Literal["monday", "sunday"]
    daily_goal_minutes: int = Field(ge=15, le=720)
    session_minutes: int = Field(ge=15, le=240)
    break_minutes: int = Field(ge=0, le=60)
    availability: list[AvailabilityWindow] = Field(min_length=1, max_length=28)
    preferred_time_of_day: Literal["morning", "afternoon", "evening", "any"]

    @field_validator("timezone")
    @classmethod
    def _known_time_zone(cls, name: str) -> str:
        if name not in _time_zones():
            raise ValueError("not an IANA time zone name")
        return name

    @field_validator("availability")
    @classmethod
    def _no_overlaps(cls, windows: list[AvailabilityWindow]) -> list[AvailabilityWindow]:
        ordered = sorted(windows, key=lambda w: (w.weekday, w.start))
        for before, after in itertools.pairwise(ordered):
            # Half-open windows: one ending at 12:00 and one starting at 12:00 only touch.
            if before.weekday == after.weekday and before.end > after.start:
                raise ValueError(f"windows overlap on weekday {after.weekday}")
        return windows


class UserRead(BaseModel):
    id: UUID
    email: str
    display_name: str | None
    email_verified: bool = Field(
        description="False until the link of the verification mail is opened; an unverified "
        "user can use the app (the flag lets it nudge)."
    )
    created_at: UtcDateTime
    preferences: Preferences | None
