"""API models of sign-in and tokens (docs/api.md: Auth)."""

from typing import Literal

from pydantic import BaseModel, EmailStr, Field, SecretStr

from auth.passwords import policy
from auth.users.schemas import UserRead
from schediora_runtime.problems import StrictModel


class LoginRequest(StrictModel):
    email: EmailStr
    # No policy here: a wrong password of any length up to the maximum is a plain 401.
    password: SecretStr = Field(min_length=1, max_length=policy.MAX_LENGTH)


class RefreshRequest(StrictModel):
    refresh_token: SecretStr = Field(min_length=1, max_length=256)


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth token type name
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_expires_in: int = Field(description="Seconds until the refresh token expires.")


class Registered(BaseModel):
    user: UserRead
    tokens: TokenPair


class Jwk(BaseModel):
    kty: Literal["OKP"]
    crv: Literal["Ed25519"]
    x: str
    kid: str
    alg: Literal["EdDSA"]
    use: Literal["sig"]


class Jwks(BaseModel):
    keys: list[Jwk]
