"""Accounts on the wire."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import Field

from app.schemas.common import WireModel

Password = Annotated[str, Field(min_length=1, max_length=1024)]


class RegisterIn(WireModel):
    email: Annotated[str, Field(max_length=254)]
    password: Password
    name: Annotated[str, Field(max_length=120)]


class LoginIn(WireModel):
    email: Annotated[str, Field(max_length=254)]
    password: Password


class PasswordChangeIn(WireModel):
    current_password: Password
    new_password: Password


class DeleteAccountIn(WireModel):
    password: Password


class Me(WireModel):
    id: uuid.UUID
    email: str
    name: str
    role: Literal["patient", "clinician", "admin"]
    timezone: str
