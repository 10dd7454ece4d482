"""API models of the account lifecycle (docs/api.md: Accounts)."""

from typing import Annotated

from pydantic import AfterValidator, EmailStr, Field, SecretStr

from auth.passwords import policy
from schediora_runtime.problems import StrictModel


def _acceptable(password: SecretStr) -> SecretStr:
    if problems := policy.problems(password.get_secret_value()):
        raise ValueError(" ".join(problems))
    return password


NewPassword = Annotated[
    SecretStr,
    AfterValidator(_acceptable),
    Field(description="8 to 128 characters, not a common password (as at registration)."),
]
GivenPassword = Annotated[SecretStr, Field(min_length=1, max_length=policy.MAX_LENGTH)]
MailedToken = Annotated[str, Field(min_length=1, max_length=256, pattern=r"^[A-Za-z0-9_-]+$")]


class ChangePasswordRequest(StrictModel):
    current_password: GivenPassword
    new_password: NewPassword


class DeleteAccountRequest(StrictModel):
    password: GivenPassword


class ForgotPasswordRequest(StrictModel):
    email: EmailStr


class ResetPasswordRequest(StrictModel):
    token: MailedToken
    new_password: NewPassword


class VerifyEmailRequest(StrictModel):
    token: MailedToken


class Accepted(StrictModel):
    """`202 {}`: the request is taken; what happens next is not told."""
