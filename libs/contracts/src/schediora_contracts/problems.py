"""RFC 9457 problem details, as every Schediora service answers errors."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

PROBLEM_MEDIA_TYPE = "application/problem+json"


class ProblemFieldError(BaseModel):
    loc: list[str | int]
    msg: str


class Problem(BaseModel):
    """An error response body. `code` is the stable, machine-readable part clients branch on."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(
        default="about:blank", examples=["https://schediora.app/problems/email_taken"]
    )
    title: str
    status: int = Field(ge=400, le=599)
    detail: str | None = None
    code: str = Field(pattern=r"^[a-z_]+$")
    errors: list[ProblemFieldError] | None = None
    instance: str | None = None

    def body(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)
